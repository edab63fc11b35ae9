// Test helper: writes GGUF files byte by byte, so tests can build both well-formed files
// and every kind of malformed one the reader must reject.
#pragma once
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace lmc::test {

// GGUF metadata value type ids.
enum GgufValue : uint32_t {
  kU8 = 0,
  kI8 = 1,
  kU16 = 2,
  kI16 = 3,
  kU32 = 4,
  kI32 = 5,
  kF32 = 6,
  kBool = 7,
  kString = 8,
  kArray = 9,
  kU64 = 10,
  kI64 = 11,
  kF64 = 12,
};

class GgufWriter {
 public:
  template <class T>
  GgufWriter& put(T v) {
    const size_t at = bytes.size();
    bytes.resize(at + sizeof(T));
    std::memcpy(bytes.data() + at, &v, sizeof(T));
    return *this;
  }
  GgufWriter& u32(uint32_t v) { return put(v); }
  GgufWriter& u64(uint64_t v) { return put(v); }
  GgufWriter& str(const std::string& s) {
    u64(s.size());
    bytes.insert(bytes.end(), s.begin(), s.end());
    return *this;
  }

  GgufWriter& header(uint64_t n_tensors, uint64_t n_kv, uint32_t version = 3) {
    bytes.insert(bytes.end(), {'G', 'G', 'U', 'F'});
    return u32(version).u64(n_tensors).u64(n_kv);
  }
  // A key and its type; the caller writes the value.
  GgufWriter& key(const std::string& k, uint32_t type) { return str(k).u32(type); }

  // Dims in GGUF order (innermost first).
  GgufWriter& tensor_info(const std::string& name, const std::vector<uint64_t>& ne, uint32_t type, uint64_t offset) {
    str(name).u32(uint32_t(ne.size()));
    for (uint64_t d : ne) u64(d);
    return u32(type).u64(offset);
  }

  GgufWriter& pad_to(size_t alignment) {
    while (bytes.size() % alignment != 0) bytes.push_back(0);
    return *this;
  }

  std::vector<uint8_t> bytes;
};

}  // namespace lmc::test
