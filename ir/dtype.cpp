#include "ir/dtype.h"

#include <array>

namespace lmc::ir {

namespace {

// The layouts (GGUF's), term by term. q8_0 is an f16 scale d and 32 signed bytes (d*q);
// q4_0 an f16 d and 16 bytes of nibbles, element j in the low nibble of byte j and j+16 in
// its high one (d*(q-8)); q4_1 an f16 d, an f16 m and the same nibbles (d*q+m); q5_0 and
// q5_1 add, after the scales, 4 bytes whose bit j is element j's fifth bit (d*(q-16),
// d*q+m). The K types are GGUF's super-blocks of 256: q4_k an f16 d and dmin, 12 bytes of
// eight 6-bit scales and mins, 128 bytes of nibbles (d*scale*q - dmin*min); q5_k adds 32
// bytes of fifth bits before the nibbles; q6_k is 128 bytes of low nibbles, 64 of 2-bit
// high parts, 16 signed scales of 16 values each and an f16 d (d*scale*(q-32)); q3_k is
// 32 bytes of third bits, 64 of 2-bit low parts, 12 bytes of sixteen 6-bit scales and an
// f16 d (d*(scale-32)*(q-4)); q2_k is 16 bytes of a 4-bit scale and min per 16 values, 64
// bytes of 2-bit quants, f16 d and dmin (d*scale*q - dmin*min). iq4_nl is an f16 d and
// q4_0's nibbles indexing 16 non-linear values (d*value[q]); iq4_xs per 256 an f16 d,
// eight 6-bit scales (2 high bits in a u16, 4 low ones in 4 bytes) and per 32 values
// iq4_nl's 16 bytes of nibbles (d*(scale-32)*value[q]).

struct GgufBlock {
  uint32_t id;
  int64_t elems, bytes;
};
enum class Gguf {
#define LMC_GGUF_TYPE(Name, id, name, elems, bytes, dequantized) Name,
#include "ir/block_types.def"
};
constexpr GgufBlock kGguf[] = {
#define LMC_GGUF_TYPE(Name, id, name, elems, bytes, dequantized) {id, elems, bytes},
#include "ir/block_types.def"
};

constexpr DTypeTraits stored_as(Gguf g, DType self, std::string_view name, BlockTraits block) {
  const GgufBlock& f = kGguf[static_cast<size_t>(g)];
  return {name, f.id, f.elems, f.bytes, self, 1, block};
}
// Built field by field rather than copied and reset: clang 14 rejects a constexpr copy of
// an optional that was engaged and then reset.
constexpr DTypeTraits panels_of(const DTypeTraits& base, std::string_view name) {
  BlockTraits block = base.block;
  block.kept_from_source = false;  // the panels are made by weight-panels, not read
  return {name, std::nullopt, base.block_elems, base.block_bytes, base.base, 16, block};
}

#define LMC_PLAIN(name, GgufName) constexpr DTypeTraits k_##name = stored_as(Gguf::GgufName, DType::name, #name, {});
#define LMC_BLOCKS(name, GgufName, decoder, ...) \
  constexpr DTypeTraits k_##name = stored_as(Gguf::GgufName, DType::name, #name, BlockTraits{__VA_ARGS__});
#define LMC_PANELS(name, base) constexpr DTypeTraits k_##name = panels_of(k_##base, #name);
#include "ir/block_types.def"

constexpr DTypeTraits kTraits[] = {
#define LMC_PLAIN(name, GgufName) k_##name,
#define LMC_BLOCKS(name, GgufName, decoder, ...) k_##name,
#define LMC_PANELS(name, base) k_##name,
#include "ir/block_types.def"
};

const DTypeTraits& info(DType t) { return kTraits[static_cast<size_t>(t)]; }

}  // namespace

const DTypeTraits& dtype_traits(DType t) { return info(t); }

std::optional<DType> dtype_of_gguf_blocks(uint32_t gguf_type) {
  for (size_t i = 0; i < std::size(kTraits); ++i)
    if (kTraits[i].gguf_type == gguf_type && kTraits[i].block_elems > 1) return static_cast<DType>(i);
  return std::nullopt;
}

std::string_view dtype_name(DType t) { return info(t).name; }

std::optional<DType> parse_dtype(std::string_view s) {
  for (size_t i = 0; i < std::size(kTraits); ++i)
    if (kTraits[i].name == s) return static_cast<DType>(i);
  return std::nullopt;
}

bool is_quantized(DType t) { return info(t).block_elems > 1; }
bool is_kept_from_source(DType t) { return info(t).block.kept_from_source; }
int64_t dtype_block_elems(DType t) { return info(t).block_elems; }
int64_t dtype_block_bytes(DType t) { return info(t).block_bytes; }
int64_t dtype_panel_rows(DType t) { return info(t).panel_rows; }
DType panel_base(DType t) { return info(t).base; }
std::optional<DType> panel_type(DType t) {
  for (size_t i = 0; i < std::size(kTraits); ++i)
    if (kTraits[i].base == t && kTraits[i].panel_rows > 1) return static_cast<DType>(i);
  return std::nullopt;
}
BlockHead dtype_block_head(DType t) { return {info(t).block.head_fields}; }
const std::array<int8_t, 16>& iq4_values() {
  static constexpr std::array<int8_t, 16> kValues{-127, -104, -83, -65, -49, -35, -22, -10,
                                                  1,    13,   25,  38,  53,  69,  89,  113};
  return kValues;
}
int64_t dtype_row_bytes(DType t, int64_t n) { return n / info(t).block_elems * info(t).block_bytes; }

}  // namespace lmc::ir
