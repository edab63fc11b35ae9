// Conversion of ggml-encoded weight rows to float, exactly as ggml's reference
// dequantizers compute them (same operation order, so results match bit for bit).
// These run at compile time to materialize weights; the generated kernels have their own.
#pragma once
#include <cstdint>

#include "models/ggml_type.h"

namespace lmc::models {

// True for the types dequantize_row handles: F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1,
// Q8_0, Q4_K, Q5_K, Q6_K.
bool can_dequantize(GgmlType t);

// Decodes n values (a multiple of the type's block size) from src, which holds
// ggml_row_bytes(t, n) bytes and need not be aligned. Throws lmc::Error for a type
// can_dequantize rejects or an n that is not whole blocks.
void dequantize_row(GgmlType t, const uint8_t* src, float* dst, int64_t n);

}  // namespace lmc::models
