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

#include "models/mapped_file.h"

namespace lmc::models {

// ggml tensor type ids as stored in GGUF.
enum class GgmlType : uint32_t {
  F32 = 0, F16 = 1, Q4_0 = 2, Q4_1 = 3, Q5_0 = 6, Q5_1 = 7, Q8_0 = 8, Q8_1 = 9,
  Q2_K = 10, Q3_K = 11, Q4_K = 12, Q5_K = 13, Q6_K = 14, Q8_K = 15, I8 = 24, I16 = 25,
  I32 = 26, I64 = 27, F64 = 28, BF16 = 30,
};
const char* ggml_type_name(GgmlType t);

struct MetaValue;
using MetaArray = std::vector<MetaValue>;
struct MetaValue {
  // uint8..int64 and bool are widened to int64/uint64; float32/64 to double.
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
  const uint8_t* data(const GgufTensor& t) const;
  // Dequantized copy of the whole tensor (exact, as ggml defines each format).
  std::vector<float> to_f32(const GgufTensor& t) const;

 private:
  std::string path_;
  uint32_t version_ = 0;
  std::unique_ptr<MappedFile> map_;
  std::map<std::string, MetaValue> meta_;
  std::vector<GgufTensor> tensors_;
};

}  // namespace lmc::models
