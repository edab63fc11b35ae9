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
float signed_max(const float* x, int n);

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

}  // namespace lmc::models
