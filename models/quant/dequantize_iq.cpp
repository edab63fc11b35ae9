// The i-quants: blocks of 256 values (IQ4_NL: 32) whose groups of 8 or 4 values are
// indices into fixed lattice grids (models/quant/iq_grids.h), with separate sign bits, under
// small per-group scales and the block's f16 d. IQ4_NL and IQ4_XS instead index 16
// non-linear values per nibble.
#include <bit>

#include "ir/dtype.h"
#include "models/quant/dequantize_blocks.h"
#include "models/quant/iq_grids.h"

namespace lmc::models {
namespace {

// ggml's sign table, computed rather than stored: 7 stored bits give the signs of the
// first 7 values of a group of 8, and the 8th is their parity, so that every group has
// an even number of minus signs.
uint8_t even_signs(uint32_t seven_bits) { return uint8_t(seven_bits | uint32_t(std::popcount(seven_bits) & 1) << 7); }

float sign(uint8_t bits, int j) { return (bits >> j) & 1 ? -1.0f : 1.0f; }

// IQ2_XXS and IQ2_XS scale: d * (0.5 + s) / 4.
float iq2_scale(float d, uint32_t s) { return d * (0.5f + float(s)) * 0.25f; }

// Block: f16 d, then per 32 values a u32 of four 8-bit grid indices and a u32 holding
// four 7-bit sign indices and a 4-bit scale on top.
void block_iq2_xxs(const uint8_t* b, float* y) {
  const float d = load_f16(b);
  for (int ib = 0; ib < 8; ++ib, y += 32) {
    const uint32_t grids = load_u32(b + 2 + 8 * ib);
    const uint32_t aux = load_u32(b + 6 + 8 * ib);
    const float db = iq2_scale(d, aux >> 28);
    for (int l = 0; l < 4; ++l) {
      const int8_t* g = iq2_xxs_grid().row((grids >> (8 * l)) & 255);
      const uint8_t s = even_signs((aux >> (7 * l)) & 127);
      for (int j = 0; j < 8; ++j) y[8 * l + j] = db * float(g[j]) * sign(s, j);
    }
  }
}

// Block: f16 d, 32 u16 of a 9-bit grid index and a 7-bit sign index (one per 8 values),
// 8 bytes of 4-bit scales (one per 16 values, low nibble first).
void block_iq2_xs(const uint8_t* b, float* y) {
  const float d = load_f16(b);
  const uint8_t* scales = b + 66;
  for (int k = 0; k < 32; ++k, y += 8) {
    const uint16_t q = load_u16(b + 2 + 2 * k);
    const float db = iq2_scale(d, (scales[k / 4] >> (4 * (k / 2 % 2))) & 15);
    const int8_t* g = iq2_xs_grid().row(q & 511);
    const uint8_t s = even_signs(q >> 9);
    for (int j = 0; j < 8; ++j) y[j] = db * float(g[j]) * sign(s, j);
  }
}

// Block: f16 d, 32 low bytes of 10-bit grid indices, 32 bytes of signs (one byte per 8
// values), 8 bytes of the indices' top two bits (four per byte), 8 bytes of 4-bit scales.
void block_iq2_s(const uint8_t* b, float* y) {
  const float d = load_f16(b);
  const uint8_t* qs = b + 2;
  const uint8_t* signs = b + 34;
  const uint8_t* qh = b + 66;
  const uint8_t* scales = b + 74;
  for (int k = 0; k < 32; ++k, y += 8) {
    const float db = iq2_scale(d, (scales[k / 4] >> (4 * (k / 2 % 2))) & 15);
    const int8_t* g = iq2_s_grid().row(qs[k] | ((qh[k / 4] >> (2 * (k % 4))) & 3) << 8);
    for (int j = 0; j < 8; ++j) y[j] = db * float(g[j]) * sign(signs[k], j);
  }
}

// Block: f16 d, 64 grid indices (4 values each), then per 32 values a u32 of four 7-bit
// sign indices and a 4-bit scale on top: d * (0.5 + s) / 2.
void block_iq3_xxs(const uint8_t* b, float* y) {
  const float d = load_f16(b);
  const uint8_t* qs = b + 2;
  for (int ib = 0; ib < 8; ++ib, y += 32) {
    const uint32_t aux = load_u32(b + 66 + 4 * ib);
    const float db = d * (0.5f + float(aux >> 28)) * 0.5f;
    for (int l = 0; l < 4; ++l) {
      const uint8_t s = even_signs((aux >> (7 * l)) & 127);
      for (int j = 0; j < 8; ++j)
        y[8 * l + j] = db * float(iq3_xxs_grid().row(qs[8 * ib + 2 * l + j / 4])[j % 4]) * sign(s, j);
    }
  }
}

// Block: f16 d, 64 low bytes of 9-bit grid indices (4 values each), 8 bytes of their top
// bits, 32 bytes of signs (one bit per value), 4 bytes of 4-bit scales (one per 32
// values): d * (1 + 2s).
void block_iq3_s(const uint8_t* b, float* y) {
  const float d = load_f16(b);
  const uint8_t* qs = b + 2;
  const uint8_t* qh = b + 66;
  const uint8_t* signs = b + 74;
  const uint8_t* scales = b + 106;
  for (int k = 0; k < 64; ++k) {
    const int group = k / 8;
    const float db = d * float(1 + 2 * ((scales[group / 2] >> (4 * (group % 2))) & 15));
    const int8_t* g = iq3_s_grid().row(qs[k] | ((qh[k / 8] >> (k % 8)) & 1) << 8);
    for (int j = 0; j < 4; ++j) {
      const int v = 4 * k + j;
      y[v] = db * float(g[j]) * sign(signs[v / 8], v % 8);
    }
  }
}

// IQ1's grid holds -1, 0, 1; the block shifts every value of a group by +-1/8.
constexpr float kIq1Delta = 0.125f;

// Block: f16 d, 32 low bytes of 11-bit grid indices (8 values each), then per 32 values a
// u16: four 3-bit index tops, a 3-bit scale (d * (2s + 1)) and the delta's sign on top.
void block_iq1_s(const uint8_t* b, float* y) {
  const float d = load_f16(b);
  const uint8_t* qs = b + 2;
  for (int ib = 0; ib < 8; ++ib, y += 32) {
    const uint16_t h = load_u16(b + 34 + 2 * ib);
    const float dl = d * float(2 * ((h >> 12) & 7) + 1);
    const float delta = h & 0x8000 ? -kIq1Delta : kIq1Delta;
    for (int l = 0; l < 4; ++l) {
      const int8_t* g = iq1_s_grid().row(qs[4 * ib + l] | ((h >> (3 * l)) & 7) << 8);
      for (int j = 0; j < 8; ++j) y[8 * l + j] = dl * (float(g[j]) + delta);
    }
  }
}

// Block: 32 low bytes of 11-bit grid indices, 16 bytes of nibbles (index top in 3 bits,
// the delta's sign in the 4th; low nibble first), four u16 of 3-bit scales (one per 16
// values, d * (2s + 1)) whose top nibbles together are the f16 d.
void block_iq1_m(const uint8_t* b, float* y) {
  const uint8_t* qs = b;
  const uint8_t* qh = b + 32;
  uint16_t sc[4];
  for (int w = 0; w < 4; ++w) sc[w] = load_u16(b + 48 + 2 * w);
  const float d =
      f16_to_f32(uint16_t((sc[0] >> 12) | ((sc[1] >> 8) & 0x00f0) | ((sc[2] >> 4) & 0x0f00) | (sc[3] & 0xf000)));
  for (int k = 0; k < 32; ++k, y += 8) {
    const int half = k / 2;  // which 16 values
    const float dl = d * float(2 * ((sc[half / 4] >> (3 * (half % 4))) & 7) + 1);
    const int nibble = (qh[k / 2] >> (4 * (k % 2))) & 15;
    const float delta = nibble & 8 ? -kIq1Delta : kIq1Delta;
    const int8_t* g = iq1_s_grid().row(qs[k] | (nibble & 7) << 8);
    for (int j = 0; j < 8; ++j) y[j] = dl * (float(g[j]) + delta);
  }
}

// 16 bytes of nibbles for 32 values: low nibbles first, then high.
void iq4_values(const uint8_t* qs, float scale, float* y) {
  for (int j = 0; j < 16; ++j) {
    y[j] = scale * float(ir::iq4_values()[qs[j] & 15]);
    y[j + 16] = scale * float(ir::iq4_values()[qs[j] >> 4]);
  }
}

// Block of 32: f16 d, 16 bytes of nibbles.
void block_iq4_nl(const uint8_t* b, float* y) { iq4_values(b + 2, load_f16(b), y); }

// Block: f16 d, u16 of the scales' top two bits, 4 bytes of their low nibbles, 128 bytes
// of nibbles; 8 sub-blocks of 32 with 6-bit scales biased by 32.
void block_iq4_xs(const uint8_t* b, float* y) {
  const float d = load_f16(b);
  const uint16_t scales_h = load_u16(b + 2);
  const uint8_t* scales_l = b + 4;
  for (int ib = 0; ib < 8; ++ib) {
    const int ls = ((scales_l[ib / 2] >> (4 * (ib % 2))) & 15) | ((scales_h >> (2 * ib)) & 3) << 4;
    iq4_values(b + 8 + 16 * ib, d * float(ls - 32), y + 32 * ib);
  }
}

}  // namespace

// The rows of ir/block_types.def this family decodes.
template <>
void dequantize_block<GgmlType::IQ2_XXS>(const uint8_t* b, float* y) {
  block_iq2_xxs(b, y);
}

template <>
void dequantize_block<GgmlType::IQ2_XS>(const uint8_t* b, float* y) {
  block_iq2_xs(b, y);
}

template <>
void dequantize_block<GgmlType::IQ2_S>(const uint8_t* b, float* y) {
  block_iq2_s(b, y);
}

template <>
void dequantize_block<GgmlType::IQ3_XXS>(const uint8_t* b, float* y) {
  block_iq3_xxs(b, y);
}

template <>
void dequantize_block<GgmlType::IQ3_S>(const uint8_t* b, float* y) {
  block_iq3_s(b, y);
}

template <>
void dequantize_block<GgmlType::IQ1_S>(const uint8_t* b, float* y) {
  block_iq1_s(b, y);
}

template <>
void dequantize_block<GgmlType::IQ1_M>(const uint8_t* b, float* y) {
  block_iq1_m(b, y);
}

template <>
void dequantize_block<GgmlType::IQ4_NL>(const uint8_t* b, float* y) {
  block_iq4_nl(b, y);
}

template <>
void dequantize_block<GgmlType::IQ4_XS>(const uint8_t* b, float* y) {
  block_iq4_xs(b, y);
}

}  // namespace lmc::models
