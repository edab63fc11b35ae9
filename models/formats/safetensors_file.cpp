#include "models/formats/safetensors_file.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <limits>
#include <string_view>
#include <unordered_set>

#include "models/quant/dequantize.h"
#include "support/error.h"
#include "support/huge_pages.h"
#include "support/untrusted_text.h"

namespace lmc::models {
namespace {

namespace fs = std::filesystem;

constexpr const char* kIndexName = "model.safetensors.index.json";
constexpr const char* kSingleName = "model.safetensors";
constexpr uint64_t kHeaderLengthBytes = 8;
constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();

std::string where(const std::string& path, uint64_t offset) { return path + ":offset " + std::to_string(offset); }

std::optional<ir::DType> parse_safetensors_dtype(const std::string& s) {
  if (s == "F32") return ir::DType::f32;
  if (s == "F16") return ir::DType::f16;
  if (s == "BF16") return ir::DType::bf16;
  return std::nullopt;
}

uint64_t dtype_size(ir::DType t) { return t == ir::DType::f32 ? 4 : 2; }

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// A tensor as its shard's header describes it, with where the description starts.
struct Entry {
  SafeTensor tensor;
  uint64_t begin = 0;  // relative to the data section
  const json::Value* description = nullptr;
};

std::vector<int64_t> read_shape(const json::Value& shape) {
  std::vector<int64_t> dims;
  int64_t numel = 1;
  for (const json::Value& d : shape.as_array()) {
    const int64_t n = d.as_int();
    if (n < 0) throw d.error("negative dimension " + std::to_string(n));
    if (n != 0 && numel > kInt64Max / n) throw d.error("element count overflows int64");
    numel *= n;
    dims.push_back(n);
  }
  return dims;
}

// Checks one header entry against the data section of `data_size` bytes.
Entry read_entry(const json::Member& m, uint64_t data_size) {
  const json::Value& desc = m.value;
  for (const json::Member& field : desc.as_object())
    if (field.key != "dtype" && field.key != "shape" && field.key != "data_offsets")
      throw field.value.error("tensor " + quoted_name(m.key) + ": unknown field " + quoted_name(field.key));
  Entry e;
  e.description = &desc;
  SafeTensor& t = e.tensor;
  t.name = m.key;
  const json::Value& dtype = desc.at("dtype");
  const std::optional<ir::DType> parsed = parse_safetensors_dtype(dtype.as_string());
  if (!parsed)
    throw dtype.error("tensor " + quoted_name(m.key) + ": unsupported dtype " + quoted_name(dtype.as_string()) +
                      " (F32, F16 and BF16 are read)");
  t.dtype = *parsed;
  t.shape = read_shape(desc.at("shape"));

  const json::Value& offsets = desc.at("data_offsets");
  const json::Array& range = offsets.as_array();
  if (range.size() != 2) throw offsets.error("tensor " + quoted_name(m.key) + ": data_offsets needs 2 values");
  const int64_t begin = range[0].as_int(), end = range[1].as_int();
  if (begin < 0 || end < begin || uint64_t(end) > data_size)
    throw offsets.error("tensor " + quoted_name(m.key) + ": data_offsets [" + std::to_string(begin) + ", " +
                        std::to_string(end) + "] outside the " + std::to_string(data_size) + "-byte data section");
  const uint64_t numel = uint64_t(t.numel());
  const uint64_t elem = dtype_size(t.dtype);
  if (numel > uint64_t(end - begin) / elem || numel * elem != uint64_t(end - begin))
    throw offsets.error("tensor " + quoted_name(m.key) + ": shape holds " + std::to_string(numel) +
                        " values but data_offsets span " + std::to_string(end - begin) + " bytes");
  e.begin = uint64_t(begin);
  t.nbytes = uint64_t(end - begin);
  return e;
}

// Tensors may not share bytes: a header that overlaps them is corrupt or hostile.
void check_no_overlap(std::vector<Entry>& entries) {
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.begin < b.begin; });
  uint64_t end = 0;
  const Entry* previous = nullptr;
  for (const Entry& e : entries) {
    if (e.tensor.nbytes == 0) continue;
    if (previous && e.begin < end)
      throw e.description->error("tensor " + quoted_name(e.tensor.name) + " overlaps tensor " +
                                 quoted_name(previous->tensor.name));
    end = e.begin + e.tensor.nbytes;
    previous = &e;
  }
}

}  // namespace

int64_t SafeTensor::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

// Builds a SafeTensorsModel from a file, an index or a directory.
class SafeTensorsLoader {
 public:
  explicit SafeTensorsLoader(SafeTensorsModel& out) : out_(out) {}

  void load(const std::string& path) {
    out_.path_ = path;
    fs::path dir;
    if (fs::is_directory(path)) {
      dir = path;
      if (fs::exists(dir / kIndexName))
        load_index((dir / kIndexName).string());
      else if (fs::exists(dir / kSingleName))
        load_single((dir / kSingleName).string());
      else
        throw error_at(path, std::string("directory holds neither ") + kIndexName + " nor " + kSingleName);
    } else {
      dir = fs::path(path).parent_path();
      if (ends_with(path, ".index.json"))
        load_index(path);
      else
        load_single(path);
    }
    std::sort(out_.tensors_.begin(), out_.tensors_.end(),
              [](const SafeTensor& a, const SafeTensor& b) { return a.name < b.name; });
    load_config(dir / "config.json");
  }

 private:
  void load_single(const std::string& path) {
    for (Entry& e : read_shard(path)) out_.tensors_.push_back(std::move(e.tensor));
  }

  // The index's weight_map names the shard of every tensor; each shard must hold exactly
  // the tensors the index gives it, so no tensor is missing, duplicated or unaccounted for.
  void load_index(const std::string& index_path) {
    const json::Document index = json::Document::read_file(index_path);
    const json::Value& weight_map = index.root().at("weight_map");
    std::map<std::string, const json::Member*> shard_of;
    std::vector<std::string> shard_files;  // in order of first mention
    std::unordered_set<std::string> listed;
    for (const json::Member& m : weight_map.as_object()) {
      const std::string& file = m.value.as_string();
      if (file.empty() || file.find('/') != std::string::npos || file == "." || file == "..")
        throw m.value.error("shard name " + quoted_name(file) + " is not a plain file name");
      if (listed.insert(file).second) shard_files.push_back(file);
      shard_of.emplace(m.key, &m);
    }
    const fs::path dir = fs::path(index_path).parent_path();
    for (const std::string& file : shard_files) {
      const std::string shard_path = (dir / file).string();
      for (Entry& e : read_shard(shard_path)) {
        auto it = shard_of.find(e.tensor.name);
        if (it == shard_of.end())
          throw e.description->error("tensor " + quoted_name(e.tensor.name) + " is not in the weight_map of " +
                                     index_path);
        if (it->second->value.as_string() != file)
          throw e.description->error("tensor " + quoted_name(e.tensor.name) + " is mapped to shard " +
                                     quoted_name(it->second->value.as_string()) + " by " + index_path);
        out_.tensors_.push_back(std::move(e.tensor));
      }
    }
    // Every tensor found matched its own entry, so a count short of the map means some
    // entry names a tensor its shard lacks.
    if (out_.tensors_.size() == shard_of.size()) return;
    // A set, not a search of the list per entry: that was quadratic in the tensor count.
    std::unordered_set<std::string_view> found;
    for (const SafeTensor& t : out_.tensors_) found.insert(t.name);
    for (const auto& [name, member] : shard_of)
      if (!found.count(name))
        throw member->value.error("tensor " + quoted_name(name) + " is not in shard " +
                                  quoted_name(member->value.as_string()));
  }

  std::vector<Entry> read_shard(const std::string& path) {
    const size_t shard = out_.shards_.size();
    out_.shards_.push_back(MappedFile::open(path));
    out_.shard_paths_.push_back(path);
    const MappedFile& file = *out_.shards_.back();
    if (file.size() < kHeaderLengthBytes)
      throw error_at(where(path, 0),
                     "file of " + std::to_string(file.size()) + " bytes is too small for a SafeTensors header");
    uint64_t header_len;
    std::memcpy(&header_len, file.data(), sizeof header_len);
    if (header_len > file.size() - kHeaderLengthBytes)
      throw error_at(where(path, 0), "header length " + std::to_string(header_len) + " runs past the end of the " +
                                         std::to_string(file.size()) + "-byte file");
    const std::string_view header_text(reinterpret_cast<const char*>(file.data()) + kHeaderLengthBytes, header_len);
    headers_.push_back(json::Document::parse_embedded(header_text, path, kHeaderLengthBytes));
    const uint64_t data_start = kHeaderLengthBytes + header_len;
    const uint64_t data_size = file.size() - data_start;

    std::vector<Entry> entries;
    for (const json::Member& m : headers_.back().root().as_object()) {
      if (m.key == "__metadata__") continue;
      Entry e = read_entry(m, data_size);
      e.tensor.shard = shard;
      e.tensor.offset = data_start + e.begin;
      e.tensor.data = file.data() + e.tensor.offset;
      entries.push_back(std::move(e));
    }
    check_no_overlap(entries);
    return entries;
  }

  void load_config(const fs::path& config_path) {
    if (!fs::exists(config_path)) return;
    out_.config_doc_ = json::Document::read_file(config_path.string());
    for (const json::Member& m : out_.config_doc_->root().as_object()) out_.config_.emplace(m.key, &m.value);
  }

  SafeTensorsModel& out_;
  // Entries point into their shard's header until loading is done.
  std::vector<json::Document> headers_;
};

std::unique_ptr<SafeTensorsModel> SafeTensorsModel::open(const std::string& path) {
  std::unique_ptr<SafeTensorsModel> model(new SafeTensorsModel());
  SafeTensorsLoader(*model).load(path);
  return model;
}

const SafeTensor* SafeTensorsModel::find(const std::string& name) const {
  auto it = std::lower_bound(tensors_.begin(), tensors_.end(), name,
                             [](const SafeTensor& t, const std::string& n) { return t.name < n; });
  return it != tensors_.end() && it->name == name ? &*it : nullptr;
}

std::vector<float> SafeTensorsModel::to_f32(const std::string& name) const {
  const SafeTensor* t = find(name);
  if (!t) throw error_at(path_, "no tensor named " + quoted_name(name));
  auto out = huge_page_vector<float>(size_t(t->numel()));
  dequantize_row(static_cast<GgmlType>(*ir::dtype_traits(t->dtype).gguf_type), t->data, out.data(), t->numel());
  return out;
}

const json::Value& SafeTensorsModel::config_value(const std::string& key) const {
  auto it = config_.find(key);
  if (it != config_.end()) return *it->second;
  if (config_doc_) throw config_doc_->root().error("config.json has no key " + quoted_name(key));
  throw error_at(path_, "no config.json beside the weights (looking for " + quoted_name(key) + ")");
}

}  // namespace lmc::models
