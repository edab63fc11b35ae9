// The K-quants: super-blocks of 256 values in sub-blocks of 16 or 32, each sub-block with
// its own small integer scale (and min) under the block's f16 d (and dmin).
#include "models/quant/dequantize_blocks.h"

namespace lmc::models {
namespace {

constexpr int kQKK = 256;  // values per block

// The 2-bit fields of Q2_K and Q3_K: each 128 values share 32 bytes, value 32*s + l of
// the half being bits 2s..2s+1 of byte l.
int crumb(const uint8_t* qs, int i) { return (qs[32 * (i / 128) + i % 32] >> (2 * ((i / 32) % 4))) & 3; }

// Block: 16 scale bytes (low nibble scale, high nibble min, one byte per 16 values), 64
// bytes of 2-bit quants, f16 d, f16 dmin.
void block_q2_k(const uint8_t* b, float* y) {
  const uint8_t* scales = b;
  const uint8_t* qs = b + 16;
  const float d = load_f16(b + 80);
  const float dmin = load_f16(b + 82);
  for (int i = 0; i < kQKK; ++i) {
    const uint8_t sc = scales[i / 16];
    const float dl = d * float(sc & 0x0f);
    const float ml = dmin * float(sc >> 4);
    y[i] = dl * float(crumb(qs, i)) - ml;
  }
}

// Q3_K's sixteen 6-bit scales (one per 16 values), biased by 32: the low nibbles are
// the nibbles of bytes 0..7 (all low nibbles first), the high two bits come from bytes
// 8..11, two bits per scale.
int q3_k_scale(const uint8_t* sc, int group) {
  const int low = group < 8 ? sc[group] & 0x0f : sc[group - 8] >> 4;
  const int high = (sc[8 + group % 4] >> (2 * (group / 4))) & 3;
  return (low | (high << 4)) - 32;
}

// Block: 32 bytes of high-bit masks, 64 bytes of 2-bit quants, 12 scale bytes, f16 d.
// Value i is its 2-bit quant, minus 4 when bit i/32 of hmask[i % 32] is clear.
void block_q3_k(const uint8_t* b, float* y) {
  const uint8_t* hmask = b;
  const uint8_t* qs = b + 32;
  const uint8_t* scales = b + 96;
  const float d = load_f16(b + 108);
  for (int i = 0; i < kQKK; ++i) {
    const float dl = d * float(q3_k_scale(scales, i / 16));
    const int high = (hmask[i % 32] >> (i / 32)) & 1;
    y[i] = dl * float(crumb(qs, i) - (high ? 0 : 4));
  }
}

// Q4_K and Q5_K: f16 d, f16 dmin, 12 scale bytes, then (Q5_K only) 32 bytes `qh` of fifth
// bits, then 128 bytes of nibbles `q`. Each 64 values are two sub-blocks of 32 sharing 32
// bytes: low nibbles first, high nibbles second; sub-block s takes its fifth bit from bit s
// of qh[l].
void block_q4_or_q5_k(const uint8_t* b, const uint8_t* qh, const uint8_t* q, float* y) {
  const float d = load_f16(b);
  const float dmin = load_f16(b + 2);
  const uint8_t* scales = b + 4;
  for (int sub = 0; sub < 8; sub += 2, q += 32, y += 64) {
    float sc0, m0, sc1, m1;
    k_scale_min(sub, scales, &sc0, &m0);
    k_scale_min(sub + 1, scales, &sc1, &m1);
    const float d0 = d * sc0, min0 = dmin * m0;
    const float d1 = d * sc1, min1 = dmin * m1;
    for (int l = 0; l < 32; ++l) {
      const int h0 = qh ? ((qh[l] >> sub) & 1) << 4 : 0;
      const int h1 = qh ? ((qh[l] >> (sub + 1)) & 1) << 4 : 0;
      y[l] = d0 * float((q[l] & 0x0f) | h0) - min0;
      y[l + 32] = d1 * float((q[l] >> 4) | h1) - min1;
    }
  }
}

void block_q4_k(const uint8_t* b, float* y) { block_q4_or_q5_k(b, nullptr, b + 16, y); }
void block_q5_k(const uint8_t* b, float* y) { block_q4_or_q5_k(b, b + 16, b + 48, y); }

void block_q6_k(const uint8_t* b, float* y) {
  for (int i = 0; i < kQKK; ++i) y[i] = q6_k_scale(b, i / 16) * float(q6_k_quant(b, i));
}

}  // namespace

// Each half of 128 values uses 64 bytes of low nibbles (values 32s + l, s = 0..3: byte
// 32(s % 2) + l, the high nibble for s >= 2) and 32 bytes of high parts (bits 2s, 2s + 1 of
// byte l).
int q6_k_quant(const uint8_t* b, int i) {
  const int half = i / 128, s = i % 128 / 32, l = i % 32;
  const int low = (b[64 * half + 32 * (s % 2) + l] >> (4 * (s / 2))) & 0x0f;
  const int high = (b[kQKK / 2 + 32 * half + l] >> (2 * s)) & 3;
  return (low | (high << 4)) - 32;
}

float q6_k_scale(const uint8_t* b, int sub) {
  const float d = load_f16(b + kQKK / 2 + kQKK / 4 + kQKK / 16);
  return d * float(static_cast<int8_t>(b[kQKK / 2 + kQKK / 4 + sub]));
}

void k_scale_min(int j, const uint8_t* q, float* scale, float* min) {
  if (j < 4) {
    *scale = float(q[j] & 63);
    *min = float(q[j + 4] & 63);
  } else {
    *scale = float((q[j + 4] & 0x0f) | ((q[j - 4] >> 6) << 4));
    *min = float((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
  }
}

// The rows of ir/block_types.def this family decodes.
template <>
void dequantize_block<GgmlType::Q2_K>(const uint8_t* b, float* y) {
  block_q2_k(b, y);
}

template <>
void dequantize_block<GgmlType::Q3_K>(const uint8_t* b, float* y) {
  block_q3_k(b, y);
}

template <>
void dequantize_block<GgmlType::Q4_K>(const uint8_t* b, float* y) {
  block_q4_k(b, y);
}

template <>
void dequantize_block<GgmlType::Q5_K>(const uint8_t* b, float* y) {
  block_q5_k(b, y);
}

template <>
void dequantize_block<GgmlType::Q6_K>(const uint8_t* b, float* y) {
  block_q6_k(b, y);
}

}  // namespace lmc::models
