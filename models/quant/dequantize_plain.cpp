// Types of one value per block: floats widen or narrow to float, integers convert to the
// nearest float (what numpy's astype(float32) gives, the round-to-nearest of the FPU).
#include "models/quant/dequantize_blocks.h"

namespace lmc::models {
namespace {

template <class T>
T load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

template <class T>
void block_convert(const uint8_t* b, float* y) {
  *y = float(load<T>(b));
}

void block_f16(const uint8_t* b, float* y) { *y = load_f16(b); }

void block_bf16(const uint8_t* b, float* y) { *y = bf16_to_f32(load_u16(b)); }

template <void (*Block)(const uint8_t*, float*), size_t kBytes>
void plain_row(const uint8_t* src, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) Block(src + static_cast<size_t>(i) * kBytes, y + i);
}

}  // namespace

RowDecoder plain_row_decoder(GgmlType t) {
  switch (t) {
    case GgmlType::F32:
      return plain_row<block_convert<float>, 4>;
    case GgmlType::F16:
      return plain_row<block_f16, 2>;
    case GgmlType::BF16:
      return plain_row<block_bf16, 2>;
    case GgmlType::F64:
      return plain_row<block_convert<double>, 8>;
    case GgmlType::I8:
      return plain_row<block_convert<int8_t>, 1>;
    case GgmlType::I16:
      return plain_row<block_convert<int16_t>, 2>;
    case GgmlType::I32:
      return plain_row<block_convert<int32_t>, 4>;
    case GgmlType::I64:
      return plain_row<block_convert<int64_t>, 8>;
    default:
      return nullptr;
  }
}

// The rows of ir/block_types.def this family decodes.
template <>
void dequantize_block<GgmlType::F32>(const uint8_t* b, float* y) {
  block_convert<float>(b, y);
}

template <>
void dequantize_block<GgmlType::F16>(const uint8_t* b, float* y) {
  block_f16(b, y);
}

template <>
void dequantize_block<GgmlType::BF16>(const uint8_t* b, float* y) {
  block_bf16(b, y);
}

template <>
void dequantize_block<GgmlType::F64>(const uint8_t* b, float* y) {
  block_convert<double>(b, y);
}

template <>
void dequantize_block<GgmlType::I8>(const uint8_t* b, float* y) {
  block_convert<int8_t>(b, y);
}

template <>
void dequantize_block<GgmlType::I16>(const uint8_t* b, float* y) {
  block_convert<int16_t>(b, y);
}

template <>
void dequantize_block<GgmlType::I32>(const uint8_t* b, float* y) {
  block_convert<int32_t>(b, y);
}

template <>
void dequantize_block<GgmlType::I64>(const uint8_t* b, float* y) {
  block_convert<int64_t>(b, y);
}

}  // namespace lmc::models
