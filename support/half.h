// Bit-exact conversions between float and the two 16-bit float formats that weights come
// in: IEEE binary16 (f16) and bfloat16 (bf16). Narrowing rounds to nearest, ties to even,
// because that is what ggml, numpy and PyTorch do and weights must match them bit for bit.
// Written with integer operations so the result never depends on the host's F16C support.
#pragma once
#include <bit>
#include <cstdint>

namespace lmc {

inline float f16_to_f32(uint16_t h) {
  const uint32_t sign = uint32_t(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1fu;
  const uint32_t mant = h & 0x3ffu;
  if (exp == 0x1f)  // inf and NaN; the NaN payload is kept, as numpy keeps it
    return std::bit_cast<float>(sign | 0x7f800000u | (mant << 13));
  if (exp != 0) return std::bit_cast<float>(sign | ((exp + (127 - 15)) << 23) | (mant << 13));
  // Zero or subnormal: mant * 2^-24 is exact in float.
  const float magnitude = float(mant) * 0x1p-24f;
  return std::bit_cast<float>(sign | std::bit_cast<uint32_t>(magnitude));
}

inline uint16_t f32_to_f16(float f) {
  const uint32_t bits = std::bit_cast<uint32_t>(f);
  const uint16_t sign = uint16_t((bits >> 16) & 0x8000u);
  const uint32_t abs = bits & 0x7fffffffu;
  if (abs > 0x7f800000u)  // NaN stays NaN: keep the top payload bits, force quiet
    return uint16_t(sign | 0x7e00u | ((abs >> 13) & 0x3ffu));
  if (abs >= 0x477ff000u)  // 65520 and above round to infinity
    return uint16_t(sign | 0x7c00u);
  if (abs < 0x38800000u) {
    // Below the smallest normal f16 (2^-14): adding 0.5 aligns the f16 subnormal grid
    // (steps of 2^-24) with the float's last mantissa bit, so the FPU's own
    // round-to-nearest-even does the rounding.
    const float aligned = std::bit_cast<float>(abs) + 0.5f;
    return uint16_t(sign | (std::bit_cast<uint32_t>(aligned) - 0x3f000000u));
  }
  // Normal: rebias the exponent and round the 13 dropped mantissa bits to nearest even.
  const uint32_t odd = (abs >> 13) & 1u;
  const uint32_t rounded = abs + ((15u - 127u) << 23) + 0xfffu + odd;
  return uint16_t(sign | (rounded >> 13));
}

inline float bf16_to_f32(uint16_t h) { return std::bit_cast<float>(uint32_t(h) << 16); }

inline uint16_t f32_to_bf16(float f) {
  const uint32_t bits = std::bit_cast<uint32_t>(f);
  if ((bits & 0x7fffffffu) > 0x7f800000u)  // NaN: truncate and force quiet, as ggml does
    return uint16_t((bits >> 16) | 0x40u);
  return uint16_t((bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16);
}

}  // namespace lmc
