#include "models/formats/gguf_file.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "models/quant/dequantize.h"
#include "support/huge_pages.h"
#include "support/untrusted_text.h"

namespace lmc::models {
namespace {

constexpr uint32_t kMagic = 0x46554747;  // "GGUF" read as little-endian u32
constexpr uint64_t kTensorCountOffset = 8;  // after magic and version
constexpr uint64_t kMaxArrayNesting = 16;
constexpr uint64_t kMaxArrayReserve = 1 << 20;
constexpr uint64_t kMaxDims = 4;
constexpr uint64_t kInt64Max = uint64_t(std::numeric_limits<int64_t>::max());

enum class ValueType : uint32_t {
  U8 = 0,
  I8 = 1,
  U16 = 2,
  I16 = 3,
  U32 = 4,
  I32 = 5,
  F32 = 6,
  Bool = 7,
  String = 8,
  Array = 9,
  U64 = 10,
  I64 = 11,
  F64 = 12,
};

// Bytes the smallest encoding of a value of this type takes, 0 for unknown types. Every
// count is checked against it so that no count can make us allocate more elements than
// the rest of the file could hold.
uint64_t min_encoded_size(uint32_t type) {
  switch (ValueType(type)) {
    case ValueType::U8:
    case ValueType::I8:
    case ValueType::Bool:
      return 1;
    case ValueType::U16:
    case ValueType::I16:
      return 2;
    case ValueType::U32:
    case ValueType::I32:
    case ValueType::F32:
      return 4;
    case ValueType::U64:
    case ValueType::I64:
    case ValueType::F64:
      return 8;
    case ValueType::String:
      return 8;  // the length
    case ValueType::Array:
      return 12;  // element type and count
  }
  return 0;
}

constexpr uint64_t kMinKeyValueSize = 8 + 4 + 1;      // key length, type, one byte
constexpr uint64_t kMinTensorInfoSize = 8 + 4 + 8 + 4 + 8;  // name, n_dims, one dim, type, offset

const char* describe(const MetaValue& m) {
  switch (m.v.index()) {  // MetaValue's alternatives, in order
    case 0:
      return "an unsigned integer";
    case 1:
      return "a signed integer";
    case 2:
      return "a float";
    case 3:
      return "a bool";
    case 4:
      return "a string";
    default:
      return "an array";
  }
}

std::string where(const std::string& path, uint64_t offset) { return path + ":offset " + std::to_string(offset); }

}  // namespace

// Reads the header, metadata and tensor directory in file order, checking each field
// against the bytes that remain before trusting it.
class GgufParser {
 public:
  explicit GgufParser(GgufFile& out) : out_(out), base_(out.map_->data()), size_(out.map_->size()) {}

  void parse() {
    parse_header();
    for (uint64_t i = 0; i < kv_count_; ++i) parse_key_value();
    check_count(tensor_count_, kMinTensorInfoSize, kTensorCountOffset, "tensor");
    for (uint64_t i = 0; i < tensor_count_; ++i) parse_tensor_info();
    place_tensors();
  }

 private:
  Error error(uint64_t at, const std::string& what) const { return error_at(where(out_.path_, at), what); }

  void need(uint64_t n, const char* what) const {
    if (n > size_ - pos_)
      throw error(pos_, std::string("truncated file: ") + what + " needs " + std::to_string(n) + " bytes, " +
                            std::to_string(size_ - pos_) + " remain");
  }

  template <class T>
  T read(const char* what) {
    need(sizeof(T), what);
    T v;
    std::memcpy(&v, base_ + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }

  std::string read_string(const char* what) {
    const uint64_t at = pos_;
    const uint64_t len = read<uint64_t>(what);
    if (len > size_ - pos_)
      throw error(at, std::string(what) + " length " + std::to_string(len) + " runs past the end of the file (" +
                          std::to_string(size_ - pos_) + " bytes remain)");
    std::string s(reinterpret_cast<const char*>(base_ + pos_), len);
    pos_ += len;
    return s;
  }

  // A count read at `at` is only believable if count elements of at least min_size bytes
  // fit in what is left of the file.
  void check_count(uint64_t count, uint64_t min_size, uint64_t at, const char* what) const {
    if (count > (size_ - pos_) / min_size)
      throw error(at, std::string(what) + " count " + std::to_string(count) + " cannot fit in the remaining " +
                          std::to_string(size_ - pos_) + " bytes");
  }

  void parse_header() {
    if (read<uint32_t>("magic") != kMagic) throw error(0, "not a GGUF file (bad magic)");
    const uint64_t at = pos_;
    const uint32_t version = read<uint32_t>("version");
    if ((version & 0xffff) == 0 && version != 0) throw error(at, "big-endian GGUF files are not supported");
    if (version != 2 && version != 3)
      throw error(at, "unsupported GGUF version " + std::to_string(version) + " (expected 2 or 3)");
    out_.version_ = version;
    tensor_count_ = read<uint64_t>("tensor count");
    const uint64_t kv_at = pos_;
    kv_count_ = read<uint64_t>("metadata count");
    check_count(kv_count_, kMinKeyValueSize, kv_at, "metadata");
  }

  void parse_key_value() {
    const uint64_t at = pos_;
    std::string key = read_string("metadata key");
    const uint64_t type_at = pos_;
    const uint32_t type = read<uint32_t>("metadata value type");
    if (out_.meta_.count(key)) throw error(at, "duplicate metadata key " + quoted_name(key));
    MetaValue value = read_value(type, type_at, 0);
    if (key == "general.alignment") set_alignment(value, type, at);
    out_.meta_offset_.emplace(key, at);
    out_.meta_.emplace(std::move(key), std::move(value));
  }

  void set_alignment(const MetaValue& value, uint32_t type, uint64_t at) {
    if (ValueType(type) != ValueType::U32) throw error(at, "general.alignment must be a uint32");
    const uint64_t a = std::get<uint64_t>(value.v);
    if (a == 0 || (a & (a - 1)) != 0)
      throw error(at, "general.alignment " + std::to_string(a) + " is not a power of two");
    out_.alignment_ = a;
  }

  MetaValue read_value(uint32_t type, uint64_t type_at, uint64_t depth) {
    switch (ValueType(type)) {
      case ValueType::U8:
        return {uint64_t(read<uint8_t>("uint8 value"))};
      case ValueType::I8:
        return {int64_t(read<int8_t>("int8 value"))};
      case ValueType::U16:
        return {uint64_t(read<uint16_t>("uint16 value"))};
      case ValueType::I16:
        return {int64_t(read<int16_t>("int16 value"))};
      case ValueType::U32:
        return {uint64_t(read<uint32_t>("uint32 value"))};
      case ValueType::I32:
        return {int64_t(read<int32_t>("int32 value"))};
      case ValueType::U64:
        return {read<uint64_t>("uint64 value")};
      case ValueType::I64:
        return {read<int64_t>("int64 value")};
      case ValueType::F32:
        return {double(read<float>("float32 value"))};
      case ValueType::F64:
        return {read<double>("float64 value")};
      case ValueType::Bool:
        return read_bool();
      case ValueType::String:
        return {read_string("string value")};
      case ValueType::Array:
        return read_array(depth);
    }
    throw error(type_at, "unknown metadata value type " + std::to_string(type));
  }

  MetaValue read_bool() {
    const uint64_t at = pos_;
    const uint8_t b = read<uint8_t>("bool value");
    if (b > 1) throw error(at, "bool value " + std::to_string(b) + " is neither 0 nor 1");
    return {b == 1};
  }

  MetaValue read_array(uint64_t depth) {
    const uint64_t at = pos_;
    if (depth >= kMaxArrayNesting) throw error(at, "arrays nested deeper than " + std::to_string(kMaxArrayNesting));
    const uint32_t elem_type = read<uint32_t>("array element type");
    const uint64_t min_size = min_encoded_size(elem_type);
    if (min_size == 0) throw error(at, "unknown array element type " + std::to_string(elem_type));
    const uint64_t count_at = pos_;
    const uint64_t count = read<uint64_t>("array count");
    check_count(count, min_size, count_at, "array");
    MetaArray items;
    // Each element costs far more memory than its bytes in the file, so grow as elements
    // actually parse rather than trusting the count with one large reservation.
    items.reserve(std::min<uint64_t>(count, kMaxArrayReserve));
    for (uint64_t i = 0; i < count; ++i) items.push_back(read_value(elem_type, at, depth + 1));
    return {std::move(items)};
  }

  void parse_tensor_info() {
    const uint64_t at = pos_;
    GgufTensor t;
    t.name = read_string("tensor name");
    if (out_.tensor_index_.count(t.name)) throw error(at, "duplicate tensor name " + quoted_name(t.name));
    read_shape(t);
    const uint64_t type_at = pos_;
    const uint32_t type = read<uint32_t>("tensor type");
    const GgmlBlockInfo* info = ggml_block_info(type);
    if (!info) throw error(type_at, "tensor " + quoted_name(t.name) + " has unknown ggml type " + std::to_string(type));
    t.type = GgmlType(type);
    const int64_t row = t.shape.back();
    if (row % info->block_size != 0)
      throw error(type_at, "tensor " + quoted_name(t.name) + ": row of " + std::to_string(row) +
                               " values is not a multiple of the " + ggml_type_name(t.type) + " block size " +
                               std::to_string(info->block_size));
    const uint64_t blocks = uint64_t(t.numel() / info->block_size);
    if (blocks > std::numeric_limits<uint64_t>::max() / uint64_t(info->type_size))
      throw error(type_at, "tensor " + quoted_name(t.name) + ": byte size overflows");
    t.nbytes = blocks * uint64_t(info->type_size);
    offset_at_.push_back(pos_);
    t.offset = read<uint64_t>("tensor offset");  // relative until place_tensors()
    out_.tensor_index_.emplace(t.name, out_.tensors_.size());
    out_.tensors_.push_back(std::move(t));
  }

  // GGUF stores ne innermost first; the shape we expose is outermost first.
  void read_shape(GgufTensor& t) {
    const uint64_t at = pos_;
    const uint32_t n_dims = read<uint32_t>("tensor dimension count");
    if (n_dims == 0 || n_dims > kMaxDims)
      throw error(at,
                  "tensor " + quoted_name(t.name) + " has " + std::to_string(n_dims) + " dimensions (1 to 4 allowed)");
    t.shape.assign(n_dims, 0);
    uint64_t numel = 1;
    for (uint32_t d = 0; d < n_dims; ++d) {
      const uint64_t dim_at = pos_;
      const uint64_t dim = read<uint64_t>("tensor dimension");
      if (dim == 0 || dim > kInt64Max)
        throw error(dim_at, "tensor " + quoted_name(t.name) + ": dimension " + std::to_string(d) + " is " +
                                std::to_string(dim) + " (must be positive)");
      if (numel > kInt64Max / dim)
        throw error(dim_at, "tensor " + quoted_name(t.name) + ": element count overflows int64");
      numel *= dim;
      t.shape[n_dims - 1 - d] = int64_t(dim);
    }
  }

  // The data section starts at the first aligned offset after the directory; every
  // tensor must be aligned within it and end inside the file.
  void place_tensors() {
    const uint64_t align = out_.alignment_;
    const uint64_t data_start = pos_ + (align - pos_ % align) % align;
    for (size_t i = 0; i < out_.tensors_.size(); ++i) {
      GgufTensor& t = out_.tensors_[i];
      const uint64_t rel = t.offset;
      if (rel % align != 0)
        throw error(offset_at_[i], "tensor " + quoted_name(t.name) + ": offset " + std::to_string(rel) +
                                       " is not a multiple of the alignment " + std::to_string(align));
      if (data_start > size_ || rel > size_ - data_start || t.nbytes > size_ - data_start - rel)
        throw error(offset_at_[i], "tensor " + quoted_name(t.name) + ": data at offset " + std::to_string(rel) + " + " +
                                       std::to_string(t.nbytes) + " bytes runs past the end of the file");
      t.offset = data_start + rel;
    }
    check_no_overlap();
  }

  // Tensors may not share bytes: a directory that overlaps them is corrupt or hostile
  // (one tensor's data read as another's).
  void check_no_overlap() const {
    std::vector<size_t> by_offset(out_.tensors_.size());
    for (size_t i = 0; i < by_offset.size(); ++i) by_offset[i] = i;
    const auto& ts = out_.tensors_;
    std::sort(by_offset.begin(), by_offset.end(), [&](size_t a, size_t b) { return ts[a].offset < ts[b].offset; });
    for (size_t k = 1; k < by_offset.size(); ++k) {
      const GgufTensor& prev = ts[by_offset[k - 1]];
      const GgufTensor& t = ts[by_offset[k]];
      if (t.offset < prev.offset + prev.nbytes)
        throw error(offset_at_[by_offset[k]],
                    "tensor " + quoted_name(t.name) + " overlaps tensor " + quoted_name(prev.name));
    }
  }

  GgufFile& out_;
  const uint8_t* base_;
  uint64_t size_;
  uint64_t pos_ = 0;
  uint64_t tensor_count_ = 0;
  uint64_t kv_count_ = 0;
  std::vector<uint64_t> offset_at_;  // where each tensor's offset field is, for errors
};

int64_t GgufTensor::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::unique_ptr<GgufFile> GgufFile::open(const std::string& path) {
  std::unique_ptr<GgufFile> file(new GgufFile());
  file->path_ = path;
  file->map_ = MappedFile::open(path);
  GgufParser(*file).parse();
  return file;
}

const MetaValue* GgufFile::find(const std::string& key) const {
  auto it = meta_.find(key);
  return it == meta_.end() ? nullptr : &it->second;
}

Error GgufFile::key_error(const std::string& key, const std::string& what) const {
  auto it = meta_offset_.find(key);
  const std::string place = it == meta_offset_.end() ? path_ : where(path_, it->second);
  return error_at(place, "metadata " + quoted_name(key) + " " + what);
}

const MetaValue& GgufFile::require(const std::string& key) const {
  const MetaValue* m = find(key);
  if (!m) throw key_error(key, "is missing");
  return *m;
}

namespace {

// Each converter returns false when the value has another type.
bool as_int(const MetaValue& m, int64_t* out) {
  if (auto* u = std::get_if<uint64_t>(&m.v)) {
    if (*u > kInt64Max) return false;
    *out = int64_t(*u);
    return true;
  }
  if (auto* i = std::get_if<int64_t>(&m.v)) {
    *out = *i;
    return true;
  }
  return false;
}

bool as_float(const MetaValue& m, double* out) {
  if (auto* d = std::get_if<double>(&m.v)) {
    *out = *d;
    return true;
  }
  if (auto* u = std::get_if<uint64_t>(&m.v)) {
    *out = double(*u);
    return true;
  }
  if (auto* i = std::get_if<int64_t>(&m.v)) {
    *out = double(*i);
    return true;
  }
  return false;
}

bool as_string(const MetaValue& m, std::string* out) {
  auto* s = std::get_if<std::string>(&m.v);
  if (s) *out = *s;
  return s != nullptr;
}

}  // namespace

int64_t GgufFile::get_int(const std::string& key) const {
  const MetaValue& m = require(key);
  int64_t v;
  if (!as_int(m, &v)) throw key_error(key, std::string("is ") + describe(m) + ", expected an int64");
  return v;
}

double GgufFile::get_float(const std::string& key) const {
  const MetaValue& m = require(key);
  double v;
  if (!as_float(m, &v)) throw key_error(key, std::string("is ") + describe(m) + ", expected a number");
  return v;
}

std::string GgufFile::get_string(const std::string& key) const {
  const MetaValue& m = require(key);
  std::string v;
  if (!as_string(m, &v)) throw key_error(key, std::string("is ") + describe(m) + ", expected a string");
  return v;
}

template <class T>
std::vector<T> GgufFile::get_array(const std::string& key, bool (*convert)(const MetaValue&, T*),
                                   const char* wanted) const {
  const MetaValue& m = require(key);
  const MetaArray* items = std::get_if<MetaArray>(&m.v);
  if (!items) throw key_error(key, std::string("is ") + describe(m) + ", expected an array");
  std::vector<T> out(items->size());
  for (size_t i = 0; i < items->size(); ++i)
    if (!convert((*items)[i], &out[i]))
      throw key_error(key, "element " + std::to_string(i) + " is " + describe((*items)[i]) + ", expected " + wanted);
  return out;
}

std::vector<std::string> GgufFile::get_strings(const std::string& key) const {
  return get_array<std::string>(key, as_string, "a string");
}

std::vector<double> GgufFile::get_floats(const std::string& key) const {
  return get_array<double>(key, as_float, "a number");
}

std::vector<int64_t> GgufFile::get_ints(const std::string& key) const {
  return get_array<int64_t>(key, as_int, "an int64");
}

const GgufTensor* GgufFile::find_tensor(const std::string& name) const {
  auto it = tensor_index_.find(name);
  return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

const uint8_t* GgufFile::data(const GgufTensor& t) const { return map_->data() + t.offset; }

std::vector<float> GgufFile::to_f32(const GgufTensor& t) const {
  const std::string place = where(path_, t.offset);
  if (!can_dequantize(t.type))
    throw error_at(place, "cannot dequantize tensor " + quoted_name(t.name) + " of type " + ggml_type_name(t.type));
  // The tensor may be a caller's altered copy: only the validated directory entry is trusted.
  const GgufTensor* own = find_tensor(t.name);
  if (!own || own->offset != t.offset || own->type != t.type || own->shape != t.shape)
    throw error_at(place, "tensor " + quoted_name(t.name) + " is not in the directory of this file");
  const int64_t row = t.shape.back();
  const uint64_t row_bytes = ggml_row_bytes(t.type, row);
  const int64_t rows = t.numel() / row;
  auto out = huge_page_vector<float>(size_t(t.numel()));
  const uint8_t* src = data(t);
  for (int64_t r = 0; r < rows; ++r) dequantize_row(t.type, src + uint64_t(r) * row_bytes, out.data() + r * row, row);
  return out;
}

}  // namespace lmc::models
