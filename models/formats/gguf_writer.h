// GGUF v3 writer for the tensors lmc makes itself (lmc exec's seeded params): a file of
// tensors in any ggml type and no metadata, which GgufFile reads like a downloaded one, so
// that a weight stored in a block type takes the path a real file's does.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "models/quant/ggml_type.h"

namespace lmc::models {

// The most dimensions a GGUF tensor has (ggml's GGML_MAX_DIMS, which GgufFile enforces).
constexpr size_t kGgufMaxDims = 4;

// One tensor to write: its name, its ggml type and its shape, outermost first (as
// GgufTensor's: 1 to kGgufMaxDims of them, the last whole blocks of the type).
struct GgufTensorSpec {
  std::string name;
  GgmlType type;
  std::vector<int64_t> shape;
};

// Writes `tensors` to `path`; data(i) gives tensor i's bytes when the writer reaches it, so
// that one tensor at a time is in memory. Throws lmc::Error when the file cannot be written
// or data(i) is not the tensor's size.
void write_gguf(const std::string& path, const std::vector<GgufTensorSpec>& tensors,
                const std::function<std::vector<uint8_t>(size_t)>& data);

}  // namespace lmc::models
