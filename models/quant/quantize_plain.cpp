// Types of one value per block: f32 as it is, f16 and bf16 rounded to nearest even.
#include "models/quant/quantize_blocks.h"

namespace lmc::models {

void quantize_f32(const float* x, uint8_t* block) { std::memcpy(block, x, sizeof *x); }
void quantize_f16(const float* x, uint8_t* block) { store_u16(block, f32_to_f16(*x)); }
void quantize_bf16(const float* x, uint8_t* block) { store_u16(block, f32_to_bf16(*x)); }

}  // namespace lmc::models
