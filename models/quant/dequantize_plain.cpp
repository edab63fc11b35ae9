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
void block_convert(const uint8_t* b, float* y) { *y = float(load<T>(b)); }

void block_f16(const uint8_t* b, float* y) { *y = load_f16(b); }

void block_bf16(const uint8_t* b, float* y) { *y = bf16_to_f32(load_u16(b)); }

}  // namespace

BlockDecoder plain_decoder(GgmlType t) {
  switch (t) {
    case GgmlType::F32: return block_convert<float>;
    case GgmlType::F16: return block_f16;
    case GgmlType::BF16: return block_bf16;
    case GgmlType::F64: return block_convert<double>;
    case GgmlType::I8: return block_convert<int8_t>;
    case GgmlType::I16: return block_convert<int16_t>;
    case GgmlType::I32: return block_convert<int32_t>;
    case GgmlType::I64: return block_convert<int64_t>;
    default: return nullptr;
  }
}

}  // namespace lmc::models
