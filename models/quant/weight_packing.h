// Converting f32 weights into the packed dtypes kernels read. This runs once, at
// compile time, when the artifact's weights are written.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "ir/dtype.h"

namespace lmc::models {

// Q8_0 as ggml defines it: per block of 32, d = max|x| / 127 stored as f16, q = round(x / d).
void quantize_row_q8_0(const float* x, uint8_t* out, int64_t n);
// Packs `rows` rows of `cols` f32 values into `dtype` (f32, f16, bf16, q8_0 or q8_0x16).
std::vector<uint8_t> pack_rows(const float* x, int64_t rows, int64_t cols, ir::DType dtype);
// `rows` row-major rows of `cols` values in panel_base(panels)'s blocks, moved into the
// x16 type `panels`' panels (ir/dtype.h); rows must be whole panels.
std::vector<uint8_t> interleave_panels(std::span<const uint8_t> blocks, ir::DType panels, int64_t rows, int64_t cols);

}  // namespace lmc::models
