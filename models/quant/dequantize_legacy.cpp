// The first ggml quantizations: blocks of 32 values with one f16 scale (and an offset for
// the _1 types), 4, 5 or 8 bits per value.
#include "models/quant/dequantize_blocks.h"

namespace lmc::models {
namespace {

constexpr int kQK = 32;  // values per block

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

}  // namespace

// The rows of ir/block_types.def this family decodes.
template <>
void dequantize_block<GgmlType::Q4_0>(const uint8_t* b, float* y) {
  block_q4_0(b, y);
}

template <>
void dequantize_block<GgmlType::Q4_1>(const uint8_t* b, float* y) {
  block_q4_1(b, y);
}

template <>
void dequantize_block<GgmlType::Q5_0>(const uint8_t* b, float* y) {
  block_q5_0(b, y);
}

template <>
void dequantize_block<GgmlType::Q5_1>(const uint8_t* b, float* y) {
  block_q5_1(b, y);
}

template <>
void dequantize_block<GgmlType::Q8_0>(const uint8_t* b, float* y) {
  block_q8_0(b, y);
}

}  // namespace lmc::models
