// The kernel object cache: the object file the code generator made for a model's kernels,
// kept under a digest of everything that made it — the generator module's bytes and LLVM's
// version, the resolved target (CPU and features), and every kernel's symbol and
// descriptor key in order — so that compiling the same kernels again (another pipeline
// option, other weights of the same shapes, a recompile after a change elsewhere) reads
// the object instead of running LLVM's optimizer and code generator. A rebuilt generator
// changes the digest, so a stale object is never read.
//
// An object is code this process will run and seal into an artifact, so an entry is
// sealed like an artifact: an HMAC-SHA256 under the user's key (runtime/artifact/
// artifact_key.h) over its digest and bytes. An entry whose MAC does not verify — torn,
// damaged, or written by someone else — is a miss and is removed, never a kernel.
// Writing is best effort (a temporary renamed into place, so two processes may store
// at once): a cache that cannot be written only misses. Bounded: past kMaxBytes the least
// recently used entries go.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "codegen/kernel_plan.h"
#include "codegen/target.h"

namespace lmc::driver {

// The kernel object cache kept beside the compile cache in `cache_dir` (its kernels/).
std::string kernel_objects_dir(const std::string& cache_dir);
// The code generator this process compiles with: its module by content and LLVM's version.
std::string generator_identity();

class KernelObjectCache {
 public:
  static constexpr uint64_t kMaxBytes = uint64_t{256} << 20;

  // Entries live in `dir` (created on the first store), at most `max_bytes` of them.
  explicit KernelObjectCache(std::string dir, uint64_t max_bytes = kMaxBytes)
      : dir_(std::move(dir)), max_bytes_(max_bytes) {}

  // The digest naming the object `kernels` compile to for `target` (16 hex digits).
  static std::string key(const std::vector<codegen::KernelEntry>& kernels, const codegen::TargetSpec& target);

  std::optional<std::string> find(const std::string& key) const;
  void store(const std::string& key, const std::string& object) const;
  // Removes every entry (and the directory, when that leaves it empty); returns the bytes freed.
  uint64_t clear() const;

 private:
  std::string path(const std::string& key) const;
  void evict_past_bound() const;
  std::string dir_;
  uint64_t max_bytes_;
};

}  // namespace lmc::driver
