// A GGUF file's Q4_K and Q5_K tensors as blocks the int8 kernels read: each super-block
// of 256 values is eight sub-blocks of 32 under one f16 d and dmin, with 6-bit scales and
// mins; unpacked, each sub-block is a q4_1f (q5_1f) block whose f32 d = d * scale and
// m = -(dmin * min) are exact — the values the file holds, bit for bit, in 24 (28) bytes
// per 32 instead of 18 (22).
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "ir/dtype.h"
#include "models/ggml_type.h"

namespace lmc::models {

// The block type a K-quant tensor unpacks to (Q4_K: q4_1f, Q5_K: q5_1f), if it does.
std::optional<ir::DType> unpacked_k_type(GgmlType t);

// `n_blocks` super-blocks of type t (Q4_K or Q5_K) at `data`, unpacked.
std::vector<uint8_t> unpack_k_quant(const uint8_t* data, int64_t n_blocks, GgmlType t);

}  // namespace lmc::models
