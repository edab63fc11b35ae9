// What the decoders of each family of ggml types share (models/quant/dequantize_*.cpp): the
// shape of a block decoder, little-endian field loads, and one lookup per family.
// Internal to models/; callers use models/quant/dequantize.h.
#pragma once
#include <cstdint>
#include <cstring>

#include "models/quant/ggml_type.h"
#include "support/half.h"

namespace lmc::models {

// Decodes one block (ggml_block_info(t).type_size bytes, any alignment) into its
// block_size floats.
using BlockDecoder = void (*)(const uint8_t* block, float* out);

// Decodes n values (whole blocks) of a row in one loop.
using RowDecoder = void (*)(const uint8_t* src, float* out, int64_t n);

// The types of one value per block (floats and integers, models/quant/dequantize_plain.cpp)
// decode a row in one loop the compiler sees whole and vectorizes, not a call per value:
// whole F16 and BF16 tensors are widened when a model is packed. Null for other types.
RowDecoder plain_row_decoder(GgmlType t);

inline uint16_t load_u16(const uint8_t* p) {
  uint16_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline uint32_t load_u32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline float load_f16(const uint8_t* p) { return f16_to_f32(load_u16(p)); }

// The K-quants' 12 scale bytes hold eight 6-bit scales and eight 6-bit mins: the first
// four of each directly, the last four split between a low nibble in bytes 8..11 and
// two high bits borrowed from the top of bytes 0..7. Sub-block j's, as floats.
void k_scale_min(int j, const uint8_t* q, float* scale, float* min);

// A Q6_K block (128 bytes of low nibbles, 64 of 2-bit high parts, 16 signed scales, f16
// d): value i's quant (-32..31), and sub-block `sub`'s scale d * scale (values 16sub ..
// 16sub + 15), exact in f32. Value i is q6_k_scale(b, i / 16) * q6_k_quant(b, i).
int q6_k_quant(const uint8_t* b, int i);
float q6_k_scale(const uint8_t* b, int sub);

// One block of GGUF type T decoded (ggml_block_info(T).type_size bytes, any alignment):
// specialized in its family's file for each row of ir/block_types.def marked dequantized.
template <GgmlType T>
void dequantize_block(const uint8_t* block, float* out);
#define LMC_GGUF_TYPE(Name, id, name, elems, bytes, dequantized) \
  template <>                                                    \
  void dequantize_block<GgmlType::Name>(const uint8_t* block, float* out);
#include "ir/block_types.def"

}  // namespace lmc::models
