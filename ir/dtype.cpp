#include "ir/dtype.h"

#include <array>

namespace lmc::ir {

namespace {
struct DTypeInfo {
  DType type;
  std::string_view name;
  int64_t block_elems;
  int64_t block_bytes;
  DType base;  // the row-major type whose blocks it holds (itself, but for the x16 types)
};
// As in GGUF: q8_0 is an f16 scale d and 32 signed bytes (d*q); q4_0 an f16 d and 16
// bytes of nibbles, element j in the low nibble of byte j and j+16 in its high one
// (d*(q-8)); q4_1 an f16 d, an f16 m and the same nibbles (d*q+m); q5_0 and q5_1 add,
// after the scales, 4 bytes whose bit j is element j's fifth bit (d*(q-16), d*q+m). The K
// types are GGUF's super-blocks of 256:
// q4_k an f16 d and dmin, 12 bytes of eight 6-bit scales and mins, 128 bytes of nibbles
// (d*scale*q - dmin*min); q5_k adds 32 bytes of fifth bits before the nibbles; q6_k is
// 128 bytes of low nibbles, 64 of 2-bit high parts, 16 signed scales of 16 values each
// and an f16 d (d*scale*(q-32)); q3_k is 32 bytes of third bits, 64 of 2-bit low parts,
// 12 bytes of sixteen 6-bit scales and an f16 d (d*(scale-32)*(q-4)); q2_k is 16 bytes of
// a 4-bit scale and min per 16 values, 64 bytes of 2-bit quants, f16 d and dmin
// (d*scale*q - dmin*min). iq4_nl is an f16 d
// and q4_0's nibbles indexing 16 non-linear values (d*value[q]); iq4_xs per 256 an f16 d,
// eight 6-bit scales (2 high bits in a u16, 4 low ones in 4 bytes) and per 32 values
// iq4_nl's 16 bytes of nibbles (d*(scale-32)*value[q]).
constexpr std::array<DTypeInfo, 23> kInfo{{
    {DType::f32, "f32", 1, 4, DType::f32},
    {DType::f16, "f16", 1, 2, DType::f16},
    {DType::bf16, "bf16", 1, 2, DType::bf16},
    {DType::i32, "i32", 1, 4, DType::i32},
    {DType::q8_0, "q8_0", 32, 34, DType::q8_0},
    {DType::q4_0, "q4_0", 32, 18, DType::q4_0},
    {DType::q4_1, "q4_1", 32, 20, DType::q4_1},
    {DType::q5_0, "q5_0", 32, 22, DType::q5_0},
    {DType::q5_1, "q5_1", 32, 24, DType::q5_1},
    {DType::q8_0x16, "q8_0x16", 32, 34, DType::q8_0},
    {DType::q4_0x16, "q4_0x16", 32, 18, DType::q4_0},
    {DType::q4_1x16, "q4_1x16", 32, 20, DType::q4_1},
    {DType::q5_0x16, "q5_0x16", 32, 22, DType::q5_0},
    {DType::q5_1x16, "q5_1x16", 32, 24, DType::q5_1},
    {DType::q4_k, "q4_k", 256, 144, DType::q4_k},
    {DType::q5_k, "q5_k", 256, 176, DType::q5_k},
    {DType::q6_k, "q6_k", 256, 210, DType::q6_k},
    {DType::q4_kx16, "q4_kx16", 256, 144, DType::q4_k},
    {DType::q5_kx16, "q5_kx16", 256, 176, DType::q5_k},
    {DType::q3_k, "q3_k", 256, 110, DType::q3_k},
    {DType::iq4_nl, "iq4_nl", 32, 18, DType::iq4_nl},
    {DType::iq4_xs, "iq4_xs", 256, 136, DType::iq4_xs},
    {DType::q2_k, "q2_k", 256, 84, DType::q2_k},
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
bool is_kept_from_source(DType t) {
  return t == DType::q4_0 || t == DType::q4_1 || t == DType::q5_0 || t == DType::q5_1 || t == DType::q4_k ||
         t == DType::q5_k || t == DType::q6_k || t == DType::q3_k || t == DType::q2_k || t == DType::iq4_nl ||
         t == DType::iq4_xs;
}
int64_t dtype_block_elems(DType t) { return info(t).block_elems; }
int64_t dtype_block_bytes(DType t) { return info(t).block_bytes; }
int64_t dtype_panel_rows(DType t) { return info(t).base == t ? 1 : 16; }
DType panel_base(DType t) { return info(t).base; }
std::optional<DType> panel_type(DType t) {
  for (const auto& i : kInfo)
    if (i.base == t && i.type != t) return i.type;
  return std::nullopt;
}
BlockHead dtype_block_head(DType t) {
  switch (panel_base(t)) {
    case DType::q8_0:
    case DType::q4_0:
    case DType::q5_0:
    case DType::iq4_nl: return {1};
    case DType::q4_1:
    case DType::q5_1: return {2};
    default: return {};
  }
}
const std::array<int8_t, 16>& iq4_values() {
  static constexpr std::array<int8_t, 16> kValues{-127, -104, -83, -65, -49, -35, -22, -10,
                                                  1,    13,   25,  38,  53,  69,  89,  113};
  return kValues;
}
int64_t dtype_row_bytes(DType t, int64_t n) { return n / info(t).block_elems * info(t).block_bytes; }

}  // namespace lmc::ir
