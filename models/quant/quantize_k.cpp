// The K-quants: super-blocks of 256 values in sub-blocks of 16 or 32, each sub-block's
// scale (and min) a small integer under the super-block's f16 d (and dmin). Plain round to
// nearest: each sub-block's ideal scale (and min) is rounded to an integer multiple of the
// super-block's, and each value to the nearest quant under its sub-block's rounded scale.
// ggml's reference quantizers search for better scales; the layouts are the same.
#include <algorithm>
#include <array>

#include "models/quant/quantize_blocks.h"

namespace lmc::models {
namespace {

constexpr int kQKK = 256;  // values per block
constexpr int kMaxSubs = 16;

// A super-block whose values are d * sc * q - dmin * m, q in [0, qmax], each sub-block's
// sc and m in [0, smax] (Q2_K, Q4_K, Q5_K): each sub-block spans min(0, its minimum) to its
// maximum. d and dmin are stored as f16 at `head`, d first.
struct Affine {
  int subs, sub_len;
  std::array<int, kMaxSubs> sc{}, m{};
  std::array<int, kQKK> q{};
};

Affine affine(const float* x, int subs, int qmax, int smax, uint8_t* head) {
  Affine a{subs, kQKK / subs};
  std::array<float, kMaxSubs> scale{}, min{};
  float max_scale = 0, max_min = 0;
  for (int s = 0; s < subs; ++s) {
    const auto [lo, hi] = std::minmax_element(x + s * a.sub_len, x + (s + 1) * a.sub_len);
    min[s] = -std::min(0.0f, *lo);
    scale[s] = (*hi + min[s]) / float(qmax);
    max_scale = std::max(max_scale, scale[s]);
    max_min = std::max(max_min, min[s]);
  }
  const float d = store_f16(head, max_scale / float(smax));
  const float dmin = store_f16(head + 2, max_min / float(smax));
  for (int s = 0; s < subs; ++s) {
    a.sc[s] = d > 0 ? nearest_in(scale[s] / d, 0, smax) : 0;
    a.m[s] = dmin > 0 ? nearest_in(min[s] / dmin, 0, smax) : 0;
    const float ds = d * float(a.sc[s]), offset = dmin * float(a.m[s]);
    for (int i = s * a.sub_len; i < (s + 1) * a.sub_len; ++i)
      a.q[i] = ds > 0 ? nearest_in((x[i] + offset) / ds, 0, qmax) : 0;
  }
  return a;
}

// A super-block of 16 sub-blocks of 16 whose values are d * sc * q, q in [-qlim, qlim - 1]
// and sc in [-slim, slim - 1] (Q3_K, Q6_K): each sub-block's value of largest magnitude
// maps to -qlim, and the sub-block of largest scale to -slim. d is stored as f16 at `d_at`.
struct Symmetric {
  std::array<int, kMaxSubs> sc{};
  std::array<int, kQKK> q{};
};

Symmetric symmetric(const float* x, int qlim, int slim, uint8_t* d_at) {
  constexpr int kSubLen = kQKK / kMaxSubs;
  std::array<float, kMaxSubs> scale{};
  for (int s = 0; s < kMaxSubs; ++s) scale[s] = signed_max(x + s * kSubLen, kSubLen) / float(-qlim);
  const float d = store_f16(d_at, signed_max(scale.data(), kMaxSubs) / float(-slim));
  Symmetric out;
  for (int s = 0; s < kMaxSubs; ++s) {
    out.sc[s] = d != 0 ? nearest_in(scale[s] / d, -slim, slim - 1) : 0;
    const float ds = d * float(out.sc[s]);
    for (int i = s * kSubLen; i < (s + 1) * kSubLen; ++i)
      out.q[i] = ds != 0 ? nearest_in(x[i] / ds, -qlim, qlim - 1) : 0;
  }
  return out;
}

// Q2_K's and Q3_K's 2-bit fields: each 128 values share 32 bytes, value 32s + l of the
// half in bits 2s..2s+1 of byte l.
void put_crumbs(const std::array<int, kQKK>& q, int bias, uint8_t* qs) {
  for (int i = 0; i < kQKK; ++i) qs[32 * (i / 128) + i % 32] |= uint8_t(((q[i] + bias) & 3) << (2 * (i / 32 % 4)));
}

// Q4_K's and Q5_K's 12 scale bytes: the first four 6-bit scales and mins in the low bits of
// bytes 0..3 and 4..7, the last four as low nibbles in bytes 8..11 with their top two bits in
// the top of bytes 0..7 (the decoder's k_scale_min).
void put_k_scales(const Affine& a, uint8_t* scales) {
  for (int j = 0; j < 8; ++j) {
    if (j < 4) {
      scales[j] = uint8_t(a.sc[j]);
      scales[j + 4] = uint8_t(a.m[j]);
    } else {
      scales[j + 4] = uint8_t((a.sc[j] & 0x0f) | ((a.m[j] & 0x0f) << 4));
      scales[j - 4] |= uint8_t((a.sc[j] >> 4) << 6);
      scales[j] |= uint8_t((a.m[j] >> 4) << 6);
    }
  }
}

// Q4_K and Q5_K: f16 d, f16 dmin, 12 scale bytes, (Q5_K) 32 bytes qh of fifth bits, 128
// bytes of nibbles. Each 64 values are two sub-blocks sharing 32 bytes, the first in the
// low nibbles; value l of sub-block s has its fifth bit in bit s of qh[l].
void quantize_q4_or_q5_k(const float* x, uint8_t* b, uint8_t* qh, uint8_t* qs, int qmax) {
  const Affine a = affine(x, 8, qmax, 63, b);
  put_k_scales(a, b + 4);
  if (qh) std::memset(qh, 0, 32);
  for (int i = 0; i < kQKK; ++i) {
    const int s = i / 32, l = i % 32;
    uint8_t& byte = qs[32 * (s / 2) + l];
    byte = uint8_t(s % 2 ? byte | ((a.q[i] & 0x0f) << 4) : (a.q[i] & 0x0f));
    if (qh) qh[l] |= uint8_t((a.q[i] >> 4) << s);
  }
}

}  // namespace

// Block: 16 scale bytes (low nibble scale, high nibble min), 64 bytes of 2-bit quants,
// f16 d, f16 dmin.
void quantize_q2_k(const float* x, uint8_t* b) {
  const Affine a = affine(x, 16, 3, 15, b + 80);
  for (int s = 0; s < 16; ++s) b[s] = uint8_t(a.sc[s] | (a.m[s] << 4));
  std::memset(b + 16, 0, 64);
  put_crumbs(a.q, 0, b + 16);
}

// Block: 32 bytes of third bits (value i's in bit i / 32 of byte i % 32), 64 bytes of 2-bit
// low parts, 12 bytes of sixteen 6-bit scales biased by 32 (low nibbles: bytes 0..7, scales
// 0..7 low and 8..15 high; top two bits: byte 8 + s % 4, bits 2(s / 4)), f16 d.
void quantize_q3_k(const float* x, uint8_t* b) {
  const Symmetric q = symmetric(x, 4, 32, b + 108);
  std::memset(b, 0, 108);
  put_crumbs(q.q, 4, b + 32);
  for (int i = 0; i < kQKK; ++i) b[i % 32] |= uint8_t(((q.q[i] + 4) >> 2) << (i / 32));
  for (int s = 0; s < 16; ++s) {
    const int l = q.sc[s] + 32;
    b[96 + s % 8] |= uint8_t((l & 0x0f) << (s < 8 ? 0 : 4));
    b[104 + s % 4] |= uint8_t((l >> 4) << (2 * (s / 4)));
  }
}

void quantize_q4_k(const float* x, uint8_t* b) { quantize_q4_or_q5_k(x, b, nullptr, b + 16, 15); }
void quantize_q5_k(const float* x, uint8_t* b) { quantize_q4_or_q5_k(x, b, b + 16, b + 48, 31); }

// Block: 128 bytes of low nibbles, 64 of 2-bit high parts, 16 signed scales, f16 d. Each
// half of 128 values: value 32s + l's low nibble in byte 32(s % 2) + l (the high nibble for
// s >= 2), its high part in bits 2s, 2s + 1 of high byte l.
void quantize_q6_k(const float* x, uint8_t* b) {
  const Symmetric q = symmetric(x, 32, 128, b + 208);
  std::memset(b, 0, 192);
  for (int i = 0; i < kQKK; ++i) {
    const int half = i / 128, s = i % 128 / 32, l = i % 32, v = q.q[i] + 32;
    b[64 * half + 32 * (s % 2) + l] |= uint8_t((v & 0x0f) << (4 * (s / 2)));
    b[128 + 32 * half + l] |= uint8_t((v >> 4) << (2 * s));
  }
  for (int s = 0; s < 16; ++s) b[192 + s] = uint8_t(int8_t(q.sc[s]));
}

}  // namespace lmc::models
