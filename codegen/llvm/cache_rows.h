// Rows of a KV cache in its storage dtype (ir::is_cache_dtype): f32, f16, or q8_0 blocks
// (per 32 values an f16 scale d and 32 int8 q, each value d * q, as GGUF). kv_write stores
// f32 rows converted to it; attention loads a head's values back as floats, straight from
// the cache (no f32 copy of it exists).
#pragma once
#include "codegen/llvm/builder/llvm_helpers.h"
#include "ir/dtype.h"

namespace lmc::codegen {

// The n values stored at `src` (n a multiple of the dtype's block), as <n x float>.
llvm::Value* load_cache_values(Builder& b, ir::DType dtype, llvm::Value* src, int64_t n);
// The 8 values from element i (i64, a multiple of 8) of the row at `row`, as <8 x float>.
llvm::Value* load_cache_lanes(Builder& b, ir::DType dtype, llvm::Value* row, llvm::Value* i);

// Stores the `width` floats at `x` as one cache row at `dst`. f16 rounds to nearest even
// (vcvtps2ph); q8_0 quantizes each block as the weights' Q8_0 packing does
// (models/quant/weight_packing.cpp): d = max|x| / 127, q = x * (1/d) rounded half away from zero.
void store_cache_row(Builder& b, ir::DType dtype, llvm::Value* x, llvm::Value* dst, int64_t width);

}  // namespace lmc::codegen
