// ArtifactWriter: streams sections into a PendingFile, then writes the weight index, the
// manifest, the section table and the sealed header, and renames; a reader never sees a
// half-written artifact under the final name.
#include <set>

#include "runtime/artifact/artifact.h"
#include "runtime/artifact/artifact_format.h"
#include "runtime/artifact/artifact_manifest.h"
#include "runtime/artifact/artifact_seal.h"
#include "runtime/artifact/artifact_weight_index.h"
#include "runtime/artifact/digest.h"
#include "support/error.h"
#include "support/pending_file.h"

namespace lmc::runtime {

namespace fmt = artifact_format;

namespace {
bool reserved(const std::string& name) { return name == "manifest" || name == "weights" || name == "weight_index"; }
}  // namespace

struct ArtifactWriter::Impl {
  Impl(std::string path, ArtifactKey k) : file(std::move(path)), key(std::move(k)) {}
  PendingFile file;
  ArtifactKey key;
  std::vector<fmt::TableEntry> sections;
  std::set<std::string> names;
  // The weights section is open from the first add_weight to the next other call.
  bool weights_open = false;
  uint64_t weights_start = 0;
  std::unique_ptr<Digest64Stream> weights_digest;
  std::vector<WeightRecord> index;
  std::set<std::string> weight_names;
  bool finished = false;

  [[noreturn]] void fail(const std::string& what) const { file.fail(what, 0); }

  void write(std::string_view b) {
    if (weights_open) weights_digest->update(b);
    file.write(b);
  }

  uint64_t pos() const { return file.size(); }
  void pad_to(uint64_t align) { write(std::string(fmt::align_up(pos(), align) - pos(), '\0')); }

  void check_open() const {
    if (finished) fail("artifact writer used after finish()");
  }

  void claim_name(const std::string& name) {
    if (name.empty() || name.size() > fmt::kMaxSectionName || !names.insert(name).second)
      fail("section name '" + name + "' is empty, too long or already written");
  }

  void add(const std::string& name, std::string_view bytes) {
    close_weights();
    claim_name(name);
    pad_to(fmt::kSectionAlign);
    sections.push_back({name, pos(), bytes.size(), digest64(bytes)});
    write(bytes);
  }

  void open_weights() {
    if (names.count("weights")) fail("weights must be added one after another, with no other section between");
    claim_name("weights");
    pad_to(fmt::kWeightsAlign);
    weights_start = pos();
    weights_digest = std::make_unique<Digest64Stream>();
    weights_open = true;
  }

  void close_weights() {
    if (!weights_open) return;
    weights_open = false;
    sections.push_back({"weights", weights_start, pos() - weights_start, weights_digest->value()});
    add("weight_index", encode_weight_index(index));
  }

  // Reads the sealed sections back: they are small (the weights are not among them)
  // and were streamed to disk as they came.
  Mac256 seal(std::string_view table, std::string_view header) const {
    std::vector<std::string> bytes;
    for (const auto& s : sections)
      if (s.name != "weights") bytes.push_back(file.pread(s.offset, s.size));
    return compute_seal(key, std::vector<std::string_view>(bytes.begin(), bytes.end()), table, header);
  }
};

ArtifactWriter::ArtifactWriter(std::string path, ArtifactKey key)
    : impl_(std::make_unique<Impl>(std::move(path), std::move(key))) {
  impl_->write(std::string(fmt::kHeaderBytes, '\0'));  // filled in by finish()
}

ArtifactWriter::~ArtifactWriter() = default;

void ArtifactWriter::add_section(const std::string& name, std::string_view bytes) {
  impl_->check_open();
  if (reserved(name)) impl_->fail("section '" + name + "' is written by the artifact writer itself");
  impl_->add(name, bytes);
}

void ArtifactWriter::add_weight(const std::string& name, ir::DType dtype, const std::vector<int64_t>& shape,
                                std::string_view bytes) {
  Impl& w = *impl_;
  w.check_open();
  if (name.empty() || name.find_first_of("\t\n\r") != std::string::npos || !w.weight_names.insert(name).second)
    w.fail("weight name '" + name + "' is empty, holds a tab or newline, or is already written");
  std::optional<uint64_t> expected = tensor_bytes(dtype, shape);
  if (!expected || *expected != bytes.size())
    w.fail("weight '" + name + "' has " + std::to_string(bytes.size()) + " bytes, not what its dtype and shape need");
  if (!w.weights_open) w.open_weights();
  w.pad_to(fmt::kTensorAlign);
  w.index.push_back({name, dtype, shape, w.pos() - w.weights_start, bytes.size(), digest64(bytes)});
  w.write(bytes);
}

void ArtifactWriter::finish(const ArtifactManifest& manifest) {
  Impl& w = *impl_;
  w.check_open();
  w.close_weights();
  std::map<std::string, uint64_t> digests;
  for (const auto& s : w.sections) digests[s.name] = s.digest;
  w.add("manifest", encode_manifest(manifest, digests));

  w.pad_to(fmt::kSectionAlign);
  std::string table = fmt::encode_table(w.sections);
  fmt::Header h{kArtifactFormatVersion, static_cast<uint32_t>(w.sections.size()), w.pos(), table.size(),
                digest64(table)};
  w.write(table);
  h.seal = w.seal(table, fmt::encode_header(h));
  w.file.pwrite(fmt::encode_header(h), 0);
  w.file.commit();
  w.finished = true;
}

}  // namespace lmc::runtime
