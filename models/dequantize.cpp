#include "models/dequantize.h"

#include <cstring>
#include <string>

#include "ir/error.h"
#include "ir/half.h"

// Each block decoder follows ggml's reference dequantizer term by term. The results are
// bit-identical to ggml's and gguf-py's for a reason worth knowing: an f16 scale has 11
// significant bits and the quants and sub-block scales are small integers, so every
// product here is exact in float and only a final "- min" or "+ m" rounds. Grouping and
// FMA contraction therefore cannot change a value; the bit layouts are what must match.

namespace lmc::models {
namespace {

constexpr int kQK = 32;   // block size of the legacy quants
constexpr int kQKK = 256; // block size of the K-quants

float load_f16(const uint8_t* p) {
  uint16_t h;
  std::memcpy(&h, p, sizeof h);
  return f16_to_f32(h);
}

uint32_t load_u32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Block: f16 d, 16 bytes of nibbles. Low nibbles are values 0..15, high nibbles 16..31.
void block_q4_0(const uint8_t* b, float* y) {
  const float d = load_f16(b);
  const uint8_t* qs = b + 2;
  for (int j = 0; j < kQK / 2; ++j) {
    y[j] = d * float((qs[j] & 0x0f) - 8);
    y[j + kQK / 2] = d * float((qs[j] >> 4) - 8);
  }
}

// Block: f16 d, f16 m, 16 bytes of nibbles; unsigned values offset by m.
void block_q4_1(const uint8_t* b, float* y) {
  const float d = load_f16(b);
  const float m = load_f16(b + 2);
  const uint8_t* qs = b + 4;
  for (int j = 0; j < kQK / 2; ++j) {
    y[j] = d * float(qs[j] & 0x0f) + m;
    y[j + kQK / 2] = d * float(qs[j] >> 4) + m;
  }
}

// Fifth bit of value i is bit i of the 32-bit qh word.
int fifth_bit(uint32_t qh, int i) { return int((qh >> i) & 1u) << 4; }

// Block: f16 d, u32 qh, 16 bytes of nibbles; 5-bit values centred on 16.
void block_q5_0(const uint8_t* b, float* y) {
  const float d = load_f16(b);
  const uint32_t qh = load_u32(b + 2);
  const uint8_t* qs = b + 6;
  for (int j = 0; j < kQK / 2; ++j) {
    y[j] = d * float(((qs[j] & 0x0f) | fifth_bit(qh, j)) - 16);
    y[j + kQK / 2] = d * float(((qs[j] >> 4) | fifth_bit(qh, j + kQK / 2)) - 16);
  }
}

// Block: f16 d, f16 m, u32 qh, 16 bytes of nibbles; unsigned 5-bit values offset by m.
void block_q5_1(const uint8_t* b, float* y) {
  const float d = load_f16(b);
  const float m = load_f16(b + 2);
  const uint32_t qh = load_u32(b + 4);
  const uint8_t* qs = b + 8;
  for (int j = 0; j < kQK / 2; ++j) {
    y[j] = d * float((qs[j] & 0x0f) | fifth_bit(qh, j)) + m;
    y[j + kQK / 2] = d * float((qs[j] >> 4) | fifth_bit(qh, j + kQK / 2)) + m;
  }
}

// Block: f16 d, 32 signed bytes.
void block_q8_0(const uint8_t* b, float* y) {
  const float d = load_f16(b);
  for (int j = 0; j < kQK; ++j) y[j] = float(int8_t(b[2 + j])) * d;
}

// The K-quants' 12 scale bytes hold eight 6-bit scales and eight 6-bit mins: the first
// four of each directly, the last four split between a low nibble in bytes 8..11 and
// two high bits borrowed from the top of bytes 0..7.
void scale_min_k4(int j, const uint8_t* q, float* scale, float* min) {
  if (j < 4) {
    *scale = float(q[j] & 63);
    *min = float(q[j + 4] & 63);
  } else {
    *scale = float((q[j + 4] & 0x0f) | ((q[j - 4] >> 6) << 4));
    *min = float((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
  }
}

// Block: f16 d, f16 dmin, 12 scale bytes, 128 bytes of nibbles. Each 64 values are two
// sub-blocks of 32 sharing 32 bytes: low nibbles first, high nibbles second.
void block_q4_k(const uint8_t* b, float* y) {
  const float d = load_f16(b);
  const float dmin = load_f16(b + 2);
  const uint8_t* scales = b + 4;
  const uint8_t* q = b + 16;
  for (int sub = 0; sub < 8; sub += 2, q += 32, y += 64) {
    float sc0, m0, sc1, m1;
    scale_min_k4(sub, scales, &sc0, &m0);
    scale_min_k4(sub + 1, scales, &sc1, &m1);
    const float d0 = d * sc0, min0 = dmin * m0;
    const float d1 = d * sc1, min1 = dmin * m1;
    for (int l = 0; l < 32; ++l) {
      y[l] = d0 * float(q[l] & 0x0f) - min0;
      y[l + 32] = d1 * float(q[l] >> 4) - min1;
    }
  }
}

// Block: as Q4_K with 32 bytes of fifth bits in front of the nibbles: sub-block s takes
// its fifth bit from bit s of qh[l].
void block_q5_k(const uint8_t* b, float* y) {
  const float d = load_f16(b);
  const float dmin = load_f16(b + 2);
  const uint8_t* scales = b + 4;
  const uint8_t* qh = b + 16;
  const uint8_t* q = b + 48;
  for (int sub = 0; sub < 8; sub += 2, q += 32, y += 64) {
    float sc0, m0, sc1, m1;
    scale_min_k4(sub, scales, &sc0, &m0);
    scale_min_k4(sub + 1, scales, &sc1, &m1);
    const float d0 = d * sc0, min0 = dmin * m0;
    const float d1 = d * sc1, min1 = dmin * m1;
    for (int l = 0; l < 32; ++l) {
      const int h0 = ((qh[l] >> sub) & 1) << 4;
      const int h1 = ((qh[l] >> (sub + 1)) & 1) << 4;
      y[l] = d0 * float((q[l] & 0x0f) | h0) - min0;
      y[l + 32] = d1 * float((q[l] >> 4) | h1) - min1;
    }
  }
}

// Block: 128 bytes of low nibbles, 64 bytes of 2-bit high parts, 16 signed scales (one
// per 16 values), f16 d. Each half of 128 values uses 64 low bytes and 32 high bytes.
void block_q6_k(const uint8_t* b, float* y) {
  const uint8_t* ql = b;
  const uint8_t* qh = b + kQKK / 2;
  const int8_t* sc = reinterpret_cast<const int8_t*>(b + kQKK / 2 + kQKK / 4);
  const float d = load_f16(b + kQKK / 2 + kQKK / 4 + kQKK / 16);
  for (int half = 0; half < 2; ++half, ql += 64, qh += 32, sc += 8, y += 128) {
    for (int l = 0; l < 32; ++l) {
      const int is = l / 16;
      const int q1 = ((ql[l] & 0x0f) | (((qh[l] >> 0) & 3) << 4)) - 32;
      const int q2 = ((ql[l + 32] & 0x0f) | (((qh[l] >> 2) & 3) << 4)) - 32;
      const int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
      const int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
      y[l] = d * float(sc[is + 0]) * float(q1);
      y[l + 32] = d * float(sc[is + 2]) * float(q2);
      y[l + 64] = d * float(sc[is + 4]) * float(q3);
      y[l + 96] = d * float(sc[is + 6]) * float(q4);
    }
  }
}

void block_f32(const uint8_t* b, float* y) { std::memcpy(y, b, sizeof(float)); }

void block_f16(const uint8_t* b, float* y) { *y = load_f16(b); }

void block_bf16(const uint8_t* b, float* y) {
  uint16_t h;
  std::memcpy(&h, b, sizeof h);
  *y = bf16_to_f32(h);
}

using BlockDecoder = void (*)(const uint8_t*, float*);

BlockDecoder decoder_for(GgmlType t) {
  switch (t) {
    case GgmlType::F32: return block_f32;
    case GgmlType::F16: return block_f16;
    case GgmlType::BF16: return block_bf16;
    case GgmlType::Q4_0: return block_q4_0;
    case GgmlType::Q4_1: return block_q4_1;
    case GgmlType::Q5_0: return block_q5_0;
    case GgmlType::Q5_1: return block_q5_1;
    case GgmlType::Q8_0: return block_q8_0;
    case GgmlType::Q4_K: return block_q4_k;
    case GgmlType::Q5_K: return block_q5_k;
    case GgmlType::Q6_K: return block_q6_k;
    default: return nullptr;
  }
}

}  // namespace

bool can_dequantize(GgmlType t) { return decoder_for(t) != nullptr; }

void dequantize_row(GgmlType t, const uint8_t* src, float* dst, int64_t n) {
  const BlockDecoder decode = decoder_for(t);
  if (!decode)
    throw Error(std::string("dequantize: error: no decoder for ggml type ") + ggml_type_name(t));
  const GgmlBlockInfo& info = ggml_block_info(t);
  if (n % info.block_size != 0)
    throw Error("dequantize: error: " + std::to_string(n) + " values are not whole " +
                ggml_type_name(t) + " blocks");
  for (int64_t i = 0; i < n; i += info.block_size, src += info.type_size) decode(src, dst + i);
}

}  // namespace lmc::models
