// Conversion of float rows into ggml's encodings: the inverse of models/quant/dequantize.h,
// with the blocks laid out exactly as ggml stores them, so that what they write reads back
// through dequantize_row and the kernels as a file's own blocks would. Plain round to
// nearest under per-block scales (ggml's reference quantizers for the legacy types and
// MXFP4; the K and IQ4 types' scales and mins likewise rounded, without ggml's search for
// better ones), which is what lmc exec needs to seed a param in the block type a file would
// store it in (driver/random_weights_file.cpp). The encoders of each family are in
// models/quant/quantize_*.cpp.
#pragma once
#include <cstdint>

#include "models/quant/ggml_type.h"

namespace lmc::models {

// True for the types quantize_row writes: F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K,
// Q3_K, Q4_K, Q5_K, Q6_K, IQ4_NL, IQ4_XS and MXFP4 (every block type lmc's kernels read as
// stored).
bool can_quantize(GgmlType t);

// Encodes n values (a multiple of the type's block size) from src into dst, which holds
// ggml_row_bytes(t, n) bytes. Throws lmc::Error for a type can_quantize rejects or an n that
// is not whole blocks.
void quantize_row(GgmlType t, const float* src, uint8_t* dst, int64_t n);

}  // namespace lmc::models
