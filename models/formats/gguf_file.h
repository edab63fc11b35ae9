// GGUF v2/v3 reader: memory-maps the file, parses every metadata type and the tensor
// directory, and validates every count, offset and size against the file before use,
// because model files come from the internet.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "models/quant/ggml_type.h"
#include "support/error.h"
#include "support/mapped_file.h"

namespace lmc::models {

struct MetaValue;
using MetaArray = std::vector<MetaValue>;
struct MetaValue {
  // uint8..uint64 widen to uint64, int8..int64 to int64, float32/64 to double.
  std::variant<uint64_t, int64_t, double, bool, std::string, MetaArray> v;
};

struct GgufTensor {
  std::string name;
  GgmlType type;
  std::vector<int64_t> shape;  // row-major (outermost first): GGUF's ne reversed
  uint64_t offset = 0;         // absolute byte offset in the file
  uint64_t nbytes = 0;
  int64_t numel() const;
};

class GgufFile {
 public:
  static std::unique_ptr<GgufFile> open(const std::string& path);  // throws lmc::Error

  const std::string& path() const { return path_; }
  uint32_t version() const { return version_; }
  uint64_t alignment() const { return alignment_; }  // of every tensor's data offset
  const std::map<std::string, MetaValue>& metadata() const { return meta_; }
  const MetaValue* find(const std::string& key) const;
  // Typed getters: throw lmc::Error naming the key when missing or of another type.
  int64_t get_int(const std::string& key) const;
  double get_float(const std::string& key) const;  // accepts integers too
  std::string get_string(const std::string& key) const;
  std::vector<std::string> get_strings(const std::string& key) const;
  std::vector<double> get_floats(const std::string& key) const;
  std::vector<int64_t> get_ints(const std::string& key) const;

  const std::vector<GgufTensor>& tensors() const { return tensors_; }
  const GgufTensor* find_tensor(const std::string& name) const;
  // The tensor's bytes inside the mapping, aligned to alignment() from the file start.
  const uint8_t* data(const GgufTensor& t) const;
  // Dequantized copy of the whole tensor (exact, as ggml defines each format); throws
  // lmc::Error for a type dequantize_row does not handle.
  std::vector<float> to_f32(const GgufTensor& t) const;

 private:
  friend class GgufParser;
  const MetaValue& require(const std::string& key) const;
  template <class T>
  std::vector<T> get_array(const std::string& key, bool (*convert)(const MetaValue&, T*), const char* wanted) const;
  Error key_error(const std::string& key, const std::string& what) const;

  std::string path_;
  uint32_t version_ = 0;
  uint64_t alignment_ = 32;
  std::unique_ptr<MappedFile> map_;
  std::map<std::string, MetaValue> meta_;
  std::map<std::string, uint64_t> meta_offset_;  // where each key starts, for diagnostics
  std::vector<GgufTensor> tensors_;
  std::map<std::string, size_t> tensor_index_;
};

}  // namespace lmc::models
