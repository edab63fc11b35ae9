// The ggml tensor types that GGUF files store, and the block layout of each: a type packs
// `block_size` consecutive values of a row into `type_size` bytes, so a row's length must
// be a multiple of its type's block size.
#pragma once
#include <cstdint>

namespace lmc::models {

// ggml tensor type ids as stored in GGUF. The gaps are ids ggml retired.
enum class GgmlType : uint32_t {
  F32 = 0, F16 = 1, Q4_0 = 2, Q4_1 = 3, Q5_0 = 6, Q5_1 = 7, Q8_0 = 8, Q8_1 = 9,
  Q2_K = 10, Q3_K = 11, Q4_K = 12, Q5_K = 13, Q6_K = 14, Q8_K = 15, IQ2_XXS = 16,
  IQ2_XS = 17, IQ3_XXS = 18, IQ1_S = 19, IQ4_NL = 20, IQ3_S = 21, IQ2_S = 22, IQ4_XS = 23,
  I8 = 24, I16 = 25, I32 = 26, I64 = 27, F64 = 28, IQ1_M = 29, BF16 = 30, TQ1_0 = 34,
  TQ2_0 = 35, MXFP4 = 39, NVFP4 = 40, Q1_0 = 41,
};

struct GgmlBlockInfo {
  int64_t block_size;  // values per block
  int64_t type_size;   // bytes per block
};

// Layout of a type id read from a file; nullptr when the id is not one of GgmlType.
const GgmlBlockInfo* ggml_block_info(uint32_t type_id);
const GgmlBlockInfo& ggml_block_info(GgmlType t);
const char* ggml_type_name(GgmlType t);

// Bytes of a row of n values; n must be a multiple of the type's block size.
uint64_t ggml_row_bytes(GgmlType t, int64_t n);

}  // namespace lmc::models
