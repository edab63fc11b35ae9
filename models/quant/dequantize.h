// Conversion of ggml-encoded weight rows to float, exactly as ggml's reference
// dequantizers (and gguf-py's, gguf/quants.py) compute them, bit for bit. The decoders
// of each family are in models/quant/dequantize_*.cpp. These run at compile time to
// materialize weights; the generated kernels have their own.
#pragma once
#include <cstdint>

#include "models/quant/ggml_type.h"

namespace lmc::models {

// True for the types dequantize_row handles: every type gguf-py dequantizes (the float,
// legacy, K-, i-, ternary and FP4 quantizations), and F64 and the integer types, which
// convert to the nearest float. False for Q8_1, Q8_K (ggml's activation formats) and Q1_0.
bool can_dequantize(GgmlType t);

// Decodes n values (a multiple of the type's block size) from src, which holds
// ggml_row_bytes(t, n) bytes and need not be aligned. Throws lmc::Error for a type
// can_dequantize rejects or an n that is not whole blocks.
void dequantize_row(GgmlType t, const uint8_t* src, float* dst, int64_t n);

}  // namespace lmc::models
