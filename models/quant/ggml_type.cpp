#include "models/quant/ggml_type.h"

#include <cassert>

namespace lmc::models {
namespace {

struct TypeRow {
  GgmlType type;
  const char* name;
  GgmlBlockInfo info;
};

constexpr TypeRow kTypes[] = {
#define LMC_GGUF_TYPE(Name, id, name, elems, bytes, dequantized) {GgmlType::Name, #name, {elems, bytes}},
#include "ir/block_types.def"
};

const TypeRow* find_row(uint32_t id) {
  for (const TypeRow& row : kTypes)
    if (uint32_t(row.type) == id) return &row;
  return nullptr;
}

}  // namespace

const GgmlBlockInfo* ggml_block_info(uint32_t type_id) {
  const TypeRow* row = find_row(type_id);
  return row ? &row->info : nullptr;
}

const GgmlBlockInfo& ggml_block_info(GgmlType t) { return find_row(uint32_t(t))->info; }

const char* ggml_type_name(GgmlType t) {
  const TypeRow* row = find_row(uint32_t(t));
  return row ? row->name : "unknown";
}

uint64_t ggml_row_bytes(GgmlType t, int64_t n) {
  const GgmlBlockInfo& info = ggml_block_info(t);
  assert(n % info.block_size == 0);
  return uint64_t(n / info.block_size) * uint64_t(info.type_size);
}

}  // namespace lmc::models
