// ArtifactWriter: streams sections to "<path>.tmp.<pid>" and renames on finish(),
// so a reader never sees a half-written artifact under the final name.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>

#include "ir/error.h"
#include "runtime/artifact.h"
#include "runtime/artifact_format.h"
#include "runtime/artifact_manifest.h"
#include "runtime/artifact_weight_index.h"

namespace lmc::runtime {

namespace fmt = artifact_format;

namespace {
bool reserved(const std::string& name) { return name == "manifest" || name == "weights" || name == "weight_index"; }
}  // namespace

struct ArtifactWriter::Impl {
  std::string path, tmp;
  int fd = -1;
  uint64_t pos = 0;
  std::vector<fmt::TableEntry> sections;
  std::set<std::string> names;
  // The weights section is open from the first add_weight to the next other call.
  bool weights_open = false;
  uint64_t weights_start = 0, weights_hash = 0;
  std::vector<WeightRecord> index;
  std::set<std::string> weight_names;
  bool finished = false;

  [[noreturn]] void fail(const std::string& what, int err) const {
    throw error_at(tmp, what + (err ? std::string(": ") + std::strerror(err) : ""));
  }

  void write(std::string_view b) {
    if (weights_open) weights_hash = fnv1a64(b, weights_hash);
    while (!b.empty()) {
      ssize_t n = ::write(fd, b.data(), b.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) fail("cannot write", errno);
      b.remove_prefix(static_cast<size_t>(n));
      pos += static_cast<uint64_t>(n);
    }
  }

  void pad_to(uint64_t align) { write(std::string(fmt::align_up(pos, align) - pos, '\0')); }

  void check_open() const {
    if (finished) fail("artifact writer used after finish()", 0);
  }

  void claim_name(const std::string& name) {
    if (name.empty() || name.size() > fmt::kMaxSectionName || !names.insert(name).second)
      fail("section name '" + name + "' is empty, too long or already written", 0);
  }

  void add(const std::string& name, std::string_view bytes) {
    close_weights();
    claim_name(name);
    pad_to(fmt::kSectionAlign);
    sections.push_back({name, pos, bytes.size(), fnv1a64(bytes)});
    write(bytes);
  }

  void open_weights() {
    if (names.count("weights")) fail("weights must be added one after another, with no other section between", 0);
    claim_name("weights");
    pad_to(fmt::kWeightsAlign);
    weights_start = pos;
    weights_hash = fnv1a64({});
    weights_open = true;
  }

  void close_weights() {
    if (!weights_open) return;
    weights_open = false;
    sections.push_back({"weights", weights_start, pos - weights_start, weights_hash});
    add("weight_index", encode_weight_index(index));
  }
};

ArtifactWriter::ArtifactWriter(std::string path) : impl_(std::make_unique<Impl>()) {
  impl_->path = std::move(path);
  impl_->tmp = impl_->path + ".tmp." + std::to_string(::getpid());
  impl_->fd = ::open(impl_->tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (impl_->fd < 0) impl_->fail("cannot create", errno);
  impl_->write(std::string(fmt::kHeaderBytes, '\0'));  // filled in by finish()
}

ArtifactWriter::~ArtifactWriter() {
  if (impl_->fd >= 0) ::close(impl_->fd);
  if (!impl_->finished) ::unlink(impl_->tmp.c_str());
}

void ArtifactWriter::add_section(const std::string& name, std::string_view bytes) {
  impl_->check_open();
  if (reserved(name)) impl_->fail("section '" + name + "' is written by the artifact writer itself", 0);
  impl_->add(name, bytes);
}

void ArtifactWriter::add_weight(const std::string& name, ir::DType dtype, const std::vector<int64_t>& shape,
                                std::string_view bytes) {
  Impl& w = *impl_;
  w.check_open();
  if (name.empty() || name.find_first_of("\t\n\r") != std::string::npos || !w.weight_names.insert(name).second)
    w.fail("weight name '" + name + "' is empty, holds a tab or newline, or is already written", 0);
  std::optional<uint64_t> expected = tensor_bytes(dtype, shape);
  if (!expected || *expected != bytes.size())
    w.fail("weight '" + name + "' has " + std::to_string(bytes.size()) + " bytes, not what its dtype and shape need",
           0);
  if (!w.weights_open) w.open_weights();
  w.pad_to(fmt::kTensorAlign);
  w.index.push_back({name, dtype, shape, w.pos - w.weights_start, bytes.size()});
  w.write(bytes);
}

void ArtifactWriter::finish(const ArtifactManifest& manifest) {
  Impl& w = *impl_;
  w.check_open();
  w.close_weights();
  std::map<std::string, uint64_t> hashes;
  for (const auto& s : w.sections) hashes[s.name] = s.hash;
  w.add("manifest", encode_manifest(manifest, hashes));

  w.pad_to(fmt::kSectionAlign);
  std::string table = fmt::encode_table(w.sections);
  fmt::Header h{kArtifactFormatVersion, static_cast<uint32_t>(w.sections.size()), w.pos, table.size(),
                fnv1a64(table)};
  w.write(table);
  std::string header = fmt::encode_header(h);
  if (::pwrite(w.fd, header.data(), header.size(), 0) != static_cast<ssize_t>(header.size()))
    w.fail("cannot write the header", errno);
  if (::fsync(w.fd) != 0) w.fail("cannot flush", errno);
  int fd = w.fd;
  w.fd = -1;
  if (::close(fd) != 0) w.fail("cannot close", errno);
  if (std::rename(w.tmp.c_str(), w.path.c_str()) != 0) w.fail("cannot rename to " + w.path, errno);
  w.finished = true;
}

}  // namespace lmc::runtime
