// Artifact: maps the file read-only and checks every number in it before any
// pointer into the mapping is handed out.
#include "runtime/artifact/artifact.h"

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>
#include <unordered_map>

#include "runtime/artifact/artifact_format.h"
#include "runtime/artifact/artifact_manifest.h"
#include "runtime/artifact/artifact_weight_index.h"
#include "runtime/artifact/digest.h"
#include "support/error.h"
#include "support/regular_file.h"

namespace lmc::runtime {

namespace fmt = artifact_format;

namespace {

// The read-only mapping of the whole file.
class Mapping {
 public:
  explicit Mapping(const std::string& path) {
    int fd = open_regular_file(path);  // a FIFO would block open() and mmap() would fail
    struct stat st{};
    if (::fstat(fd, &st) != 0) {
      int err = errno;
      ::close(fd);
      throw error_at(path, std::string("cannot stat: ") + std::strerror(err));
    }
    size_ = static_cast<uint64_t>(st.st_size);
    if (size_ > 0) {
      void* p = ::mmap(nullptr, size_, PROT_READ, MAP_SHARED, fd, 0);
      int err = errno;
      ::close(fd);
      if (p == MAP_FAILED) throw error_at(path, std::string("cannot map: ") + std::strerror(err));
      data_ = static_cast<const char*>(p);
    } else {
      ::close(fd);
    }
  }
  ~Mapping() {
    if (data_) ::munmap(const_cast<char*>(data_), size_);
  }
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  std::string_view bytes() const { return {data_, size_}; }

 private:
  const char* data_ = nullptr;
  uint64_t size_ = 0;
};

bool fits(uint64_t offset, uint64_t size, uint64_t limit) { return offset <= limit && size <= limit - offset; }

void check_layout(const std::vector<fmt::TableEntry>& table, const fmt::Header& h, const std::string& path) {
  std::vector<const fmt::TableEntry*> sorted;
  std::set<std::string> names;
  for (const auto& e : table) {
    if (!names.insert(e.name).second) throw error_at(path, "section '" + e.name + "' appears twice");
    std::string where = path + ":section '" + e.name + "'";
    if (!fits(e.offset, e.size, h.table_offset) || e.offset < fmt::kHeaderBytes)
      throw error_at(where, "bytes [" + std::to_string(e.offset) + ", +" + std::to_string(e.size) +
                                ") lie outside the data area (which ends at the section table, offset " +
                                std::to_string(h.table_offset) + ")");
    uint64_t align = e.name == "weights" ? fmt::kWeightsAlign : fmt::kSectionAlign;
    if (e.offset % align != 0)
      throw error_at(where,
                     "offset " + std::to_string(e.offset) + " is not " + std::to_string(align) + "-byte aligned");
    sorted.push_back(&e);
  }
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->offset < b->offset; });
  for (size_t i = 0; i + 1 < sorted.size(); ++i)
    if (sorted[i]->offset + sorted[i]->size > sorted[i + 1]->offset)
      throw error_at(path, "sections '" + sorted[i]->name + "' and '" + sorted[i + 1]->name + "' overlap");
}

}  // namespace

struct Artifact::Impl final : WeightProvider {
  std::string path;
  std::unique_ptr<Mapping> map;
  std::vector<ArtifactSection> sections;
  std::map<std::string, uint64_t> table_digests;
  uint64_t table_offset = 0, table_size = 0;
  std::map<std::string, std::string> kv;
  ArtifactManifest manifest;
  std::vector<WeightRecord> index;
  std::unordered_map<std::string, const void*> weight_ptr;

  const void* get(const std::string& name) const override {
    auto it = weight_ptr.find(name);
    if (it == weight_ptr.end()) throw error_at(path, "the artifact has no weight '" + name + "'");
    return it->second;
  }

  std::vector<std::string_view> spans() const override {
    const ArtifactSection* w = find("weights");
    if (!w) return {};
    return {bytes(*w)};
  }

  const ArtifactSection* find(const std::string& name) const {
    for (const auto& s : sections)
      if (s.name == name) return &s;
    return nullptr;
  }
  std::string_view bytes(const ArtifactSection& s) const { return map->bytes().substr(s.offset, s.size); }

  void read_table() {
    std::string_view file = map->bytes();
    fmt::Header h = fmt::decode_header(file, path);
    if (h.version != kArtifactFormatVersion)
      throw error_at(path, "artifact format version " + std::to_string(h.version) + " is not the one this lmc reads (" +
                               std::to_string(kArtifactFormatVersion) + "): compile the model again");
    if (!fits(h.table_offset, h.table_size, file.size()) || h.table_offset < fmt::kHeaderBytes)
      throw error_at(path, "section table [" + std::to_string(h.table_offset) + ", +" + std::to_string(h.table_size) +
                               ") runs past the end of the file (" + std::to_string(file.size()) + " bytes)");
    std::string_view table = file.substr(h.table_offset, h.table_size);
    if (digest64(table) != h.table_digest) throw error_at(path, "section table is corrupt (digest mismatch)");
    table_offset = h.table_offset;
    table_size = h.table_size;
    auto entries = fmt::decode_table(table, h.table_offset, h.section_count, path);
    check_layout(entries, h, path);
    for (const auto& e : entries) {
      sections.push_back({e.name, e.offset, e.size});
      table_digests[e.name] = e.digest;
    }
  }

  // The weights are checked apart (verify_weights): reading every page of a large file
  // is the one cost of opening that grows with the model.
  void check_digests() const {
    for (const auto& s : sections) {
      if (s.name == "weights") continue;
      uint64_t d = digest64(bytes(s));
      if (d != table_digests.at(s.name))
        throw error_at(path, "section '" + s.name + "' is corrupt (digest " + digest_hex(d) + ", recorded " +
                                 digest_hex(table_digests.at(s.name)) + ")");
    }
  }

  void verify_weights() const {
    const ArtifactSection* w = find("weights");
    if (!w) return;
    // Mapping the pages in one call is much cheaper than one page fault per 4 KB, and the
    // run reads them all anyway. Older kernels lack it: then the faults happen as before.
    ::madvise(const_cast<char*>(map->bytes().data()) + w->offset, w->size, MADV_POPULATE_READ);
    uint64_t d = digest64(bytes(*w));
    if (d == table_digests.at("weights")) return;
    std::string where = path + ":weights";
    for (const WeightRecord& r : index)
      if (uint64_t t = digest64(bytes(*w).substr(r.offset, r.bytes)); t != r.digest)
        throw error_at(where, "tensor '" + r.name + "' is corrupt (digest " + digest_hex(t) + ", recorded " +
                                  digest_hex(r.digest) + ")");
    throw error_at(where, "the padding between tensors is corrupt (section digest " + digest_hex(d) + ", recorded " +
                              digest_hex(table_digests.at("weights")) + ")");
  }

  void read_manifest() {
    const ArtifactSection* m = find("manifest");
    if (!m) throw error_at(path, "artifact has no manifest section");
    std::string where = path + ":manifest";
    kv = parse_manifest(bytes(*m), where);
    manifest = decode_manifest(kv, where);
    for (const auto& s : sections) {
      if (s.name == "manifest") continue;
      auto it = kv.find("digest." + s.name);
      if (it == kv.end() || it->second != digest_hex(table_digests.at(s.name)))
        throw error_at(where, "digest of section '" + s.name + "' is missing or disagrees with the section table");
    }
  }

  void read_weights() {
    const ArtifactSection* w = find("weights");
    const ArtifactSection* idx = find("weight_index");
    if (!w && !idx) return;
    if (!w || !idx)
      throw error_at(path, "artifact has one of the 'weights' and 'weight_index' sections without the other");
    index = decode_weight_index(bytes(*idx), w->size, path + ":weight_index");
    const char* base = map->bytes().data() + w->offset;
    for (const WeightRecord& r : index) weight_ptr[r.name] = base + r.offset;
  }
};

Artifact::Artifact() : impl_(std::make_unique<Impl>()) {}
Artifact::~Artifact() = default;

std::unique_ptr<Artifact> Artifact::open(const std::string& path) {
  std::unique_ptr<Artifact> a(new Artifact());
  Impl& i = *a->impl_;
  i.path = path;
  i.map = std::make_unique<Mapping>(path);
  i.read_table();
  i.check_digests();
  i.read_manifest();
  i.read_weights();
  return a;
}

const std::string& Artifact::path() const { return impl_->path; }
const std::vector<ArtifactSection>& Artifact::sections() const { return impl_->sections; }
std::string_view Artifact::header_bytes() const { return impl_->map->bytes().substr(0, fmt::kHeaderBytes); }
std::string_view Artifact::table_bytes() const {
  return impl_->map->bytes().substr(impl_->table_offset, impl_->table_size);
}
void Artifact::verify_weights() const { impl_->verify_weights(); }
bool Artifact::has_section(const std::string& name) const { return impl_->find(name) != nullptr; }

std::string_view Artifact::section(const std::string& name) const {
  const ArtifactSection* s = impl_->find(name);
  if (!s) throw error_at(impl_->path, "artifact has no '" + name + "' section");
  return impl_->bytes(*s);
}

void Artifact::release_section(const std::string& name) const {
  std::string_view bytes = section(name);
  const auto page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  uintptr_t begin = (reinterpret_cast<uintptr_t>(bytes.data()) + page - 1) / page * page;
  uintptr_t end = (reinterpret_cast<uintptr_t>(bytes.data()) + bytes.size()) / page * page;
  if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
}

const std::map<std::string, std::string>& Artifact::manifest() const { return impl_->kv; }
const ArtifactManifest& Artifact::parsed_manifest() const { return impl_->manifest; }
const std::vector<WeightRecord>& Artifact::weight_index() const { return impl_->index; }
const WeightProvider& Artifact::weights() const { return *impl_; }

}  // namespace lmc::runtime
