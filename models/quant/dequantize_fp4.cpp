// The 4-bit float types: E2M1 values (1 sign, 2 exponent, 1 mantissa bit) under a
// power-of-two scale per 32 values (MXFP4, the OCP microscaling format) or an unsigned
// E4M3 scale per 16 values (NVFP4).
#include <bit>
#include <cmath>

#include "models/quant/dequantize_blocks.h"
#include "models/quant/fp4_values.h"

namespace lmc::models {
namespace {

// Half of 2^(e - 127), built from its bits as ggml does: e = 0 and 1 are subnormals,
// e = 255 is 2^127 (not NaN).
float e8m0_half(uint8_t e) {
  const uint32_t bits = e < 2 ? uint32_t(0x00200000) << e : uint32_t(e - 1) << 23;
  return std::bit_cast<float>(bits);
}

// Half of an unsigned E4M3 value (bias 7; exponent 0 is subnormal). The byte's top bit is
// ignored, and 0x7f (E4M3's NaN) reads as 0, as gguf-py decodes it.
float ue4m3_half(uint8_t x) {
  if (x == 0 || x == 0x7f) return 0.0f;
  const int exp = (x >> 3) & 15;
  const float man = float(x & 7);
  const float value = exp == 0 ? man * 0x1p-9f : (1.0f + man / 8.0f) * std::ldexp(1.0f, exp - 7);
  return value * 0.5f;
}

// 8 bytes of nibbles for 16 values, or 16 for 32: low nibbles first, then high.
void e2m1_values(const uint8_t* qs, int n_bytes, float scale, float* y) {
  for (int j = 0; j < n_bytes; ++j) {
    y[j] = scale * float(kE2M1Doubled[qs[j] & 15]);
    y[j + n_bytes] = scale * float(kE2M1Doubled[qs[j] >> 4]);
  }
}

// Block of 32: the E8M0 scale byte, 16 bytes of nibbles.
void block_mxfp4(const uint8_t* b, float* y) { e2m1_values(b + 1, 16, e8m0_half(b[0]), y); }

// Block of 64: four UE4M3 scale bytes (one per 16 values), 32 bytes of nibbles.
void block_nvfp4(const uint8_t* b, float* y) {
  for (int s = 0; s < 4; ++s) e2m1_values(b + 4 + 8 * s, 8, ue4m3_half(b[s]), y + 16 * s);
}

}  // namespace

// The rows of ir/block_types.def this family decodes.
template <>
void dequantize_block<GgmlType::MXFP4>(const uint8_t* b, float* y) {
  block_mxfp4(b, y);
}

template <>
void dequantize_block<GgmlType::NVFP4>(const uint8_t* b, float* y) {
  block_nvfp4(b, y);
}

}  // namespace lmc::models
