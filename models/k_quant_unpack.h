// A GGUF file's Q4_K, Q5_K and Q6_K tensors as blocks the int8 kernels read: each super-block
// of 256 values is eight sub-blocks of 32 under one f16 d and dmin, with 6-bit scales and
// mins; unpacked, each sub-block is a q4_1f (q5_1f) block whose f32 d = d * scale and
// m = -(dmin * min) are exact — the values the file holds, bit for bit, in 24 (28) bytes
// per 32 instead of 18 (22). A Q6_K super-block is sixteen sub-blocks of 16 with signed
// 8-bit scales under an f16 d: each pair of them is a q8_2f block, the two scales d * scale
// exact in f32 and the 6-bit quants (minus 32) as signed bytes, 40 bytes per 32 instead of
// 26.25.
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "ir/dtype.h"
#include "models/ggml_type.h"

namespace lmc::models {

// The block type a K-quant tensor unpacks to (Q4_K: q4_1f, Q5_K: q5_1f, Q6_K: q8_2f), if it does.
std::optional<ir::DType> unpacked_k_type(GgmlType t);

// `n_blocks` super-blocks of type t (Q4_K, Q5_K or Q6_K) at `data`, unpacked.
std::vector<uint8_t> unpack_k_quant(const uint8_t* data, int64_t n_blocks, GgmlType t);

}  // namespace lmc::models
