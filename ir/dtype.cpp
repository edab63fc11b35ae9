#include "ir/dtype.h"

#include <array>

namespace lmc::ir {

namespace {
struct DTypeInfo {
  DType type;
  std::string_view name;
  int64_t block_elems;
  int64_t block_bytes;
};
// q8_0: an f16 scale followed by 32 signed bytes, as in GGUF.
constexpr std::array<DTypeInfo, 5> kInfo{{
    {DType::f32, "f32", 1, 4},
    {DType::f16, "f16", 1, 2},
    {DType::bf16, "bf16", 1, 2},
    {DType::i32, "i32", 1, 4},
    {DType::q8_0, "q8_0", 32, 34},
}};

const DTypeInfo& info(DType t) { return kInfo[static_cast<size_t>(t)]; }
}  // namespace

std::string_view dtype_name(DType t) { return info(t).name; }

std::optional<DType> parse_dtype(std::string_view s) {
  for (const auto& i : kInfo)
    if (i.name == s) return i.type;
  return std::nullopt;
}

bool is_quantized(DType t) { return info(t).block_elems > 1; }
int64_t dtype_block_elems(DType t) { return info(t).block_elems; }
int64_t dtype_block_bytes(DType t) { return info(t).block_bytes; }
int64_t dtype_row_bytes(DType t, int64_t n) { return n / info(t).block_elems * info(t).block_bytes; }

}  // namespace lmc::ir
