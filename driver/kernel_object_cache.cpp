#include "driver/kernel_object_cache.h"

#include <algorithm>
#include <filesystem>
#include <string_view>

#include "codegen/codegen_module.h"
#include "runtime/artifact/artifact_key.h"
#include "runtime/artifact/crypto.h"
#include "runtime/artifact/digest.h"
#include "runtime/file_digest.h"
#include "support/error.h"
#include "support/pending_file.h"
#include "support/regular_file.h"

namespace lmc::driver {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kMagic = "lmckobj1";
constexpr size_t kHeader = kMagic.size() + sizeof(runtime::Mac256);

// The MAC binds the entry's name too, so one entry cannot stand in for another.
runtime::Mac256 seal(const std::string& key, std::string_view object) {
  runtime::HmacSha256 mac(runtime::user_key().secret);
  mac.update(key);
  mac.update(object);
  return mac.finish();
}

void forget(const std::string& path) {
  std::error_code ec;
  fs::remove(path, ec);
}

}  // namespace

std::string kernel_objects_dir(const std::string& cache_dir) { return cache_dir + "/kernels"; }

std::string generator_identity() {
  std::string module = codegen::codegen_module_path();
  std::string content = module.empty() ? "none" : runtime::digest_hex(runtime::file_digest(module));
  return std::string("codegen ") + content + " llvm " + LMC_LLVM_VERSION;
}

std::string KernelObjectCache::key(const std::vector<codegen::KernelEntry>& kernels,
                                   const codegen::TargetSpec& target) {
  std::string text = generator_identity() + "\ntarget " + target.str() + "\n";
  for (const auto& k : kernels) text += k.name + " " + k.key + "\n";
  return runtime::digest_hex(runtime::digest64(text));
}

std::string KernelObjectCache::path(const std::string& key) const { return dir_ + "/" + key + ".o"; }

std::optional<std::string> KernelObjectCache::find(const std::string& key) const {
  const std::string p = path(key);
  std::error_code ec;
  if (!fs::exists(p, ec)) return std::nullopt;
  std::string entry;
  try {
    entry = read_regular_file(p);
  } catch (const Error&) {
    return std::nullopt;
  }
  std::string_view object = std::string_view(entry).substr(std::min(entry.size(), kHeader));
  runtime::Mac256 recorded{};
  if (entry.size() > kHeader && entry.compare(0, kMagic.size(), kMagic) == 0)
    std::copy_n(entry.data() + kMagic.size(), recorded.size(), recorded.begin());
  bool sealed = false;
  try {
    sealed = !object.empty() && runtime::macs_equal(recorded, seal(key, object));
  } catch (const Error&) {
    return std::nullopt;  // no key to check it with (an in-memory compile needs none): generate
  }
  if (!sealed) {
    forget(p);
    return std::nullopt;
  }
  fs::last_write_time(p, fs::file_time_type::clock::now(), ec);  // recently used
  return std::string(object);
}

void KernelObjectCache::store(const std::string& key, const std::string& object) const {
  try {
    std::error_code ec;
    fs::create_directories(dir_, ec);
    runtime::Mac256 mac = seal(key, object);
    runtime::PendingFile f(path(key));
    f.write(kMagic);
    f.write(std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
    f.write(object);
    f.commit();
  } catch (const Error&) {
    return;  // unwritable: this compile's object is in hand, later ones only miss
  }
  evict_past_bound();
}

uint64_t KernelObjectCache::clear() const {
  uint64_t freed = 0;
  std::error_code ec;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir_, ec)) files.push_back(e.path());
  for (const auto& f : files) {
    uint64_t bytes = fs::file_size(f, ec);
    if (!ec && fs::remove(f, ec)) freed += bytes;
  }
  fs::remove(dir_, ec);  // only when empty: a store under way keeps it
  return freed;
}

void KernelObjectCache::evict_past_bound() const {
  struct Entry {
    fs::path path;
    fs::file_time_type used;
    uint64_t bytes;
  };
  std::vector<Entry> entries;
  uint64_t total = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir_, ec)) {
    if (e.path().extension() != ".o") continue;
    Entry x{e.path(), e.last_write_time(ec), e.file_size(ec)};
    if (ec) continue;
    total += x.bytes;
    entries.push_back(x);
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.used < b.used; });
  for (const auto& e : entries) {
    if (total <= max_bytes_) break;
    forget(e.path.string());
    total -= e.bytes;
  }
}

}  // namespace lmc::driver
