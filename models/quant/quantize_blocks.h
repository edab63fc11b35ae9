// What the encoders of each family of ggml types share (models/quant/quantize_*.cpp): the
// shape of a block encoder, little-endian field stores, the rounding they use, and one
// encoder per type. Internal to models/quant/; callers use models/quant/quantize.h.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>

#include "support/half.h"

namespace lmc::models {

// Encodes one block's values (ggml_block_info(t).block_size of them) into its type_size
// bytes, any alignment.
using BlockEncoder = void (*)(const float* x, uint8_t* block);

inline void store_u16(uint8_t* p, uint16_t v) { std::memcpy(p, &v, sizeof v); }
inline void store_u32(uint8_t* p, uint32_t v) { std::memcpy(p, &v, sizeof v); }
// Stores x as an f16 and returns the value stored: the quants are chosen under the scale
// the decoder will read, not the exact one.
inline float store_f16(uint8_t* p, float x) {
  const uint16_t h = f32_to_f16(x);
  store_u16(p, h);
  return f16_to_f32(h);
}

// x rounded to the nearest integer in [lo, hi].
inline int nearest_in(float x, int lo, int hi) {
  const float r = std::nearbyint(x);
  return r < float(lo) ? lo : r > float(hi) ? hi : int(r);
}

// The value of largest magnitude among n, with its sign (0 for none): a symmetric scale maps
// it to the most negative quant, as ggml's reference quantizers do, so that it is exact.
inline float signed_max(const float* x, int n) {
  float max = 0;
  for (int j = 0; j < n; ++j)
    if (std::fabs(x[j]) > std::fabs(max)) max = x[j];
  return max;
}

// The index of the entry of a table of 16 that, times `scale`, is nearest x: the quant of
// the types whose nibbles index values (IQ4's, E2M1's).
inline int nearest_entry(const int8_t* table, float x, float scale) {
  int best = 0;
  for (int i = 1; i < 16; ++i)
    if (std::fabs(x - scale * float(table[i])) < std::fabs(x - scale * float(table[best]))) best = i;
  return best;
}

void quantize_f32(const float* x, uint8_t* block);
void quantize_f16(const float* x, uint8_t* block);
void quantize_bf16(const float* x, uint8_t* block);
void quantize_q4_0(const float* x, uint8_t* block);
void quantize_q4_1(const float* x, uint8_t* block);
void quantize_q5_0(const float* x, uint8_t* block);
void quantize_q5_1(const float* x, uint8_t* block);
void quantize_q8_0(const float* x, uint8_t* block);
void quantize_q2_k(const float* x, uint8_t* block);
void quantize_q3_k(const float* x, uint8_t* block);
void quantize_q4_k(const float* x, uint8_t* block);
void quantize_q5_k(const float* x, uint8_t* block);
void quantize_q6_k(const float* x, uint8_t* block);
void quantize_iq4_nl(const float* x, uint8_t* block);
void quantize_iq4_xs(const float* x, uint8_t* block);
void quantize_mxfp4(const float* x, uint8_t* block);

}  // namespace lmc::models
