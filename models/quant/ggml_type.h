// The ggml tensor types that GGUF files store, and the block layout of each: a type packs
// `block_size` consecutive values of a row into `type_size` bytes, so a row's length must
// be a multiple of its type's block size.
#pragma once
#include <cstdint>

namespace lmc::models {

// ggml tensor type ids as stored in GGUF (ir/block_types.def).
enum class GgmlType : uint32_t {
#define LMC_GGUF_TYPE(Name, id, name, elems, bytes, dequantized) Name = id,
#include "ir/block_types.def"
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
