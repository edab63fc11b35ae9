// The ternary types: 256 values of -1, 0 or 1 under one f16 d.
#include "models/quant/dequantize_blocks.h"

namespace lmc::models {
namespace {

// TQ1_0 packs five trits in a byte as a fixed-point fraction of 3^5: multiplying by 3^n
// (wrapping at 256) brings trit n to the top, and (q * 3) >> 8 reads it.
float trit(uint8_t packed, uint8_t power_of_3) {
  const uint8_t q = uint8_t(packed * power_of_3);
  return float(((uint16_t(q) * 3) >> 8) - 1);
}

constexpr uint8_t kPow3[5] = {1, 3, 9, 27, 81};

// Block: 32 bytes of five trits (values 0..159, trit n of byte m at 32n + m), 16 bytes of
// five (160..239), 4 bytes of four (240..255), f16 d.
void block_tq1_0(const uint8_t* b, float* y) {
  const float d = load_f16(b + 52);
  for (int n = 0; n < 5; ++n)
    for (int m = 0; m < 32; ++m) y[32 * n + m] = d * trit(b[m], kPow3[n]);
  for (int n = 0; n < 5; ++n)
    for (int m = 0; m < 16; ++m) y[160 + 16 * n + m] = d * trit(b[32 + m], kPow3[n]);
  for (int n = 0; n < 4; ++n)
    for (int m = 0; m < 4; ++m) y[240 + 4 * n + m] = d * trit(b[48 + m], kPow3[n]);
}

// Block: 64 bytes of 2-bit values biased by 1 (each 128 values share 32 bytes, value
// 32*s + l of the half in bits 2s..2s+1 of byte l), f16 d.
void block_tq2_0(const uint8_t* b, float* y) {
  const float d = load_f16(b + 64);
  for (int i = 0; i < 256; ++i) {
    const int q = (b[32 * (i / 128) + i % 32] >> (2 * ((i / 32) % 4))) & 3;
    y[i] = d * float(q - 1);
  }
}

}  // namespace

// The rows of ir/block_types.def this family decodes.
template <>
void dequantize_block<GgmlType::TQ1_0>(const uint8_t* b, float* y) {
  block_tq1_0(b, y);
}

template <>
void dequantize_block<GgmlType::TQ2_0>(const uint8_t* b, float* y) {
  block_tq2_0(b, y);
}

}  // namespace lmc::models
