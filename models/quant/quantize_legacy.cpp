// The first ggml quantizations, blocks of 32 values with one f16 scale (and an offset for
// the _1 types), encoded as ggml's reference quantizers (quantize_row_q4_0_ref ...) do:
// the symmetric types map the value of largest magnitude to the most negative quant, the
// _1 types span the block's minimum to its maximum, and each value takes the nearest quant.
#include "models/quant/quantize_blocks.h"

#include <algorithm>

#include "models/quant/weight_packing.h"

namespace lmc::models {
namespace {

constexpr int kQK = 32;  // values per block

// One block's quants (0..2^bits - 1) under scale d above the offset `low`, as nibbles
// (value j low in byte j, j + 16 high) and, for 5 bits, the fifth bits (bit j of qh).
struct Quants {
  uint8_t nibbles[kQK / 2] = {};
  uint32_t qh = 0;
};

Quants quants(const float* x, float d, float low, int bits) {
  const float id = d != 0 ? 1.0f / d : 0.0f;
  const int qmax = (1 << bits) - 1;
  Quants q;
  for (int j = 0; j < kQK; ++j) {
    const int v = nearest_in((x[j] - low) * id, 0, qmax);
    q.nibbles[j % (kQK / 2)] |= uint8_t((v & 0x0f) << (j < kQK / 2 ? 0 : 4));
    q.qh |= uint32_t(v >> 4) << j;
  }
  return q;
}

// Symmetric: d = max / -2^(bits-1), quants centred on 2^(bits-1); the f16 d at b.
Quants symmetric(const float* x, uint8_t* b, int bits) {
  const float half = float(1 << (bits - 1));
  const float d = store_f16(b, signed_max(x, kQK) / -half);
  return quants(x, d, -half * d, bits);
}

// Offset: d = (max - min) / (2^bits - 1) and m = min; the f16 d and m at b.
Quants offset(const float* x, uint8_t* b, int bits) {
  const auto [lo, hi] = std::minmax_element(x, x + kQK);
  const float d = store_f16(b, (*hi - *lo) / float((1 << bits) - 1));
  const float m = store_f16(b + 2, *lo);
  return quants(x, d, m, bits);
}

}  // namespace

// Block: f16 d, 16 bytes of nibbles.
void quantize_q4_0(const float* x, uint8_t* b) {
  const Quants q = symmetric(x, b, 4);
  std::memcpy(b + 2, q.nibbles, sizeof q.nibbles);
}

// Block: f16 d, f16 m, 16 bytes of nibbles.
void quantize_q4_1(const float* x, uint8_t* b) {
  const Quants q = offset(x, b, 4);
  std::memcpy(b + 4, q.nibbles, sizeof q.nibbles);
}

// Block: f16 d, u32 qh, 16 bytes of nibbles.
void quantize_q5_0(const float* x, uint8_t* b) {
  const Quants q = symmetric(x, b, 5);
  store_u32(b + 2, q.qh);
  std::memcpy(b + 6, q.nibbles, sizeof q.nibbles);
}

// Block: f16 d, f16 m, u32 qh, 16 bytes of nibbles.
void quantize_q5_1(const float* x, uint8_t* b) {
  const Quants q = offset(x, b, 5);
  store_u32(b + 4, q.qh);
  std::memcpy(b + 8, q.nibbles, sizeof q.nibbles);
}

// Q8_0 is also what lmc packs f32 weights into; one encoder serves both.
void quantize_q8_0(const float* x, uint8_t* b) { quantize_row_q8_0(x, b, kQK); }

}  // namespace lmc::models
