// IQ4_NL and IQ4_XS: each nibble indexes 16 non-linear values (ir::iq4_values(), -127 ..
// 113) under a scale. Round to nearest: a block's (sub-block's) value of largest magnitude
// maps to -127, the one exact entry at the table's end, and each value takes the entry
// nearest it; IQ4_XS's sub-block scales are rounded to 6-bit multiples of its f16 d.
#include "ir/dtype.h"
#include "models/quant/quantize_blocks.h"

namespace lmc::models {
namespace {

constexpr int kQK = 32;  // values per block (IQ4_XS: per sub-block)

// 32 values as 16 bytes of nibbles under `scale`: value j low in byte j, j + 16 high.
void put_nibbles(const float* x, float scale, uint8_t* qs) {
  const int8_t* values = ir::iq4_values().data();
  for (int j = 0; j < kQK / 2; ++j)
    qs[j] = uint8_t(nearest_entry(values, x[j], scale) | nearest_entry(values, x[j + kQK / 2], scale) << 4);
}

float table_scale(const float* x) { return signed_max(x, kQK) / float(ir::iq4_values()[0]); }

}  // namespace

// Block of 32: f16 d, 16 bytes of nibbles.
void quantize_iq4_nl(const float* x, uint8_t* b) { put_nibbles(x, store_f16(b, table_scale(x)), b + 2); }

// Block of 256: f16 d, u16 of the scales' top two bits (2 per sub-block), 4 bytes of their
// low nibbles (sub-block s in byte s / 2, the high nibble for odd s), then each sub-block's
// 16 bytes of nibbles; a sub-block's scale is d * (ls - 32), ls its 6 bits.
void quantize_iq4_xs(const float* x, uint8_t* b) {
  float scale[8];
  for (int s = 0; s < 8; ++s) scale[s] = table_scale(x + kQK * s);
  const float d = store_f16(b, signed_max(scale, 8) / -32.0f);
  uint16_t high = 0;
  std::memset(b + 4, 0, 4);
  for (int s = 0; s < 8; ++s) {
    const int ls = d != 0 ? nearest_in(scale[s] / d, -32, 31) + 32 : 32;
    high = uint16_t(high | (ls >> 4) << (2 * s));
    b[4 + s / 2] |= uint8_t((ls & 15) << (4 * (s % 2)));
    put_nibbles(x + kQK * s, d * float(ls - 32), b + 8 + 16 * s);
  }
  store_u16(b + 2, high);
}

}  // namespace lmc::models
