#include "models/formats/gguf_writer.h"

#include "support/error.h"
#include "support/pending_file.h"

namespace lmc::models {
namespace {

constexpr uint32_t kVersion = 3;
constexpr uint64_t kAlignment = 32;  // GGUF's default: no general.alignment key needed

uint64_t tensor_bytes(const GgufTensorSpec& t) {
  uint64_t rows = 1;
  for (size_t d = 0; d + 1 < t.shape.size(); ++d) rows *= uint64_t(t.shape[d]);
  return rows * ggml_row_bytes(t.type, t.shape.back());
}

uint64_t aligned(uint64_t n) { return (n + kAlignment - 1) / kAlignment * kAlignment; }

class Out {
 public:
  explicit Out(const std::string& path) : f_(path) {}
  template <class T>
  void put(T v) {
    bytes(&v, sizeof v);
  }
  void bytes(const void* p, uint64_t n) { f_.write(std::string_view(static_cast<const char*>(p), n)); }
  void str(const std::string& s) {
    put(uint64_t(s.size()));
    bytes(s.data(), s.size());
  }
  void pad() {
    static constexpr char kZeros[kAlignment] = {};
    bytes(kZeros, aligned(f_.size()) - f_.size());
  }
  void commit() { f_.commit(); }

 private:
  runtime::PendingFile f_;
};

// The directory: each tensor's name, dims innermost first, type and offset in the data.
void put_directory(Out& out, const std::vector<GgufTensorSpec>& tensors) {
  uint64_t offset = 0;
  for (const GgufTensorSpec& t : tensors) {
    out.str(t.name);
    out.put(uint32_t(t.shape.size()));
    for (auto d = t.shape.rbegin(); d != t.shape.rend(); ++d) out.put(uint64_t(*d));
    out.put(uint32_t(t.type));
    out.put(offset);
    offset += aligned(tensor_bytes(t));
  }
}

}  // namespace

void write_gguf(const std::string& path, const std::vector<GgufTensorSpec>& tensors,
                const std::function<std::vector<uint8_t>(size_t)>& data) {
  Out out(path);
  out.bytes("GGUF", 4);
  out.put(kVersion);
  out.put(uint64_t(tensors.size()));
  out.put(uint64_t(0));  // metadata
  put_directory(out, tensors);
  for (size_t i = 0; i < tensors.size(); ++i) {
    out.pad();
    const std::vector<uint8_t> bytes = data(i);
    if (bytes.size() != tensor_bytes(tensors[i]))
      throw Error(path + ": error: tensor '" + tensors[i].name + "' has " + std::to_string(bytes.size()) +
                  " bytes, not the " + std::to_string(tensor_bytes(tensors[i])) + " its shape and type take");
    out.bytes(bytes.data(), bytes.size());
  }
  out.commit();
}

}  // namespace lmc::models
