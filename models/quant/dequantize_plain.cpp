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

}  // namespace

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
