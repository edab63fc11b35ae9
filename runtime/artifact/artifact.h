// The one-file artifact `lmc compile` writes and `lmc run` maps.
//
// Layout (all integers little-endian):
//   header   "LMCARTF1", u32 format version, u32 section count, u64 table offset, u64 table size,
//            u64 table digest, 32-byte seal (runtime/artifact/artifact_seal.h)
//   sections each 64-byte aligned ("weights" 4096-aligned, so tensors map page-aligned)
//   table    per section: u32 name length, name bytes, u64 offset, u64 size, u64 digest
// Sections: "manifest" (key=value lines, written last so it can carry the content
// digests of every other section), "ir" (graph text), "kernels" (object file),
// "tokenizer" (opaque bytes), "weights" (tensors, each 64-byte aligned) and
// "weight_index" (one line per tensor: name, dtype, shape, offset in "weights", bytes,
// digest). Digests are runtime/artifact/digest.h's XXH3-64.
// The writer streams: a weight goes to disk when added, nothing is held back.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "codegen/kernel_compiler.h"
#include "codegen/target.h"
#include "ir/dtype.h"
#include "ir/model_info.h"
#include "runtime/artifact/artifact_key.h"
#include "runtime/artifact/weight_provider.h"

namespace lmc::runtime {

inline constexpr uint32_t kArtifactFormatVersion = 3;

// What the manifest records besides the section digests, which the writer adds itself.
// A pass plugin the pipeline loaded: what made the graph, for reading and `lmc verify`.
// Running the artifact needs none of its passes' code.
struct PluginRecord {
  std::string path;     // absolute, as loaded
  std::string digest;   // of the library's bytes: digest_hex(file_digest(path)) (runtime/file_digest.h)
  bool operator==(const PluginRecord&) const = default;
};

struct ArtifactManifest {
  std::string lmc_version = LMC_VERSION;
  std::string model;
  std::string pipeline;
  std::vector<PluginRecord> plugins;
  codegen::TargetSpec target;
  std::vector<std::string> isa;  // the ISA features the kernels may use (codegen::isa_features)
  ir::ModelInfo info;
  std::vector<codegen::KernelEntry> kernels;  // key -> symbol + work items
  std::map<std::string, std::string> extra;   // free-form keys (e.g. tokenizer kind), stored as "extra.<key>"
};

struct ArtifactSection {
  std::string name;
  uint64_t offset = 0;  // from the start of the file
  uint64_t size = 0;
};

struct WeightRecord {
  std::string name;
  ir::DType dtype = ir::DType::f32;
  std::vector<int64_t> shape;
  uint64_t offset = 0;  // from the start of the "weights" section
  uint64_t bytes = 0;
  uint64_t digest = 0;  // of the tensor's bytes
};

class ArtifactWriter {
 public:
  // Writes through a runtime::PendingFile: nothing appears under `path` before finish(),
  // and an unfinished artifact is removed on exceptions and on SIGINT/SIGTERM. finish()
  // seals the artifact with `key`.
  ArtifactWriter(std::string path, ArtifactKey key);
  ~ArtifactWriter();
  ArtifactWriter(const ArtifactWriter&) = delete;
  ArtifactWriter& operator=(const ArtifactWriter&) = delete;

  // Any section but "manifest", "weights" and "weight_index", each name once.
  void add_section(const std::string& name, std::string_view bytes);
  // Appends one tensor to the "weights" section, which stays open across
  // consecutive calls; `bytes` must match dtype and shape.
  void add_weight(const std::string& name, ir::DType dtype, const std::vector<int64_t>& shape, std::string_view bytes);
  // Writes the weight index, the manifest, the section table and the sealed header,
  // then renames.
  void finish(const ArtifactManifest& manifest);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class Artifact {
 public:
  // Maps the file and validates header, section table, bounds and alignment, the
  // manifest, the weight index and the digest of every section but "weights" (see
  // verify_weights). Whether the file is sealed is sealed_with()'s question
  // (runtime/artifact/artifact_seal.h). Throws lmc::Error "<path>: error: ...".
  static std::unique_ptr<Artifact> open(const std::string& path);
  ~Artifact();
  Artifact(const Artifact&) = delete;
  Artifact& operator=(const Artifact&) = delete;

  const std::string& path() const;
  // Checks the digest of the "weights" section, reading every page of it; on a mismatch
  // throws lmc::Error naming the first tensor whose own digest disagrees.
  void verify_weights() const;
  const std::vector<ArtifactSection>& sections() const;
  std::string_view header_bytes() const;
  std::string_view table_bytes() const;
  bool has_section(const std::string& name) const;
  // Bytes of the section inside the mapping; throws lmc::Error when absent.
  std::string_view section(const std::string& name) const;
  // Gives the section's whole pages back to the page cache (read again if touched): for
  // sections copied out at load (the IR, the kernels, the tokenizer) that a run never reads again.
  void release_section(const std::string& name) const;

  const std::map<std::string, std::string>& manifest() const;  // raw key=value (unescaped)
  const ArtifactManifest& parsed_manifest() const;
  const ir::ModelInfo& model_info() const { return parsed_manifest().info; }

  const std::vector<WeightRecord>& weight_index() const;
  // Pointers into the mapping (zero copy); valid while the Artifact lives.
  const WeightProvider& weights() const;

 private:
  Artifact();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lmc::runtime
