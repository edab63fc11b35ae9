// MXFP4: blocks of 32 E2M1 values under a power-of-two scale, encoded as ggml's reference
// quantizer (quantize_row_mxfp4_ref) does: the scale puts the block's largest |value| at 4
// to 8 in E2M1's units (whose largest is 6, so the top of that range clamps), and each value
// takes the nearest of the 16.
#include <algorithm>

#include "models/quant/fp4_values.h"
#include "models/quant/quantize_blocks.h"

namespace lmc::models {

// Block of 32: the E8M0 scale byte e (2^(e - 127)), 16 bytes of nibbles: value j low in
// byte j, j + 16 high.
void quantize_mxfp4(const float* x, uint8_t* b) {
  constexpr int kQK = 32;  // values per block
  float amax = 0;
  for (int j = 0; j < kQK; ++j) amax = std::max(amax, std::fabs(x[j]));
  const int e = amax > 0 ? std::clamp(int(std::floor(std::log2(amax))) - 2 + 127, 0, 254) : 0;
  b[0] = uint8_t(e);
  const float half_scale = std::ldexp(1.0f, e - 128);
  for (int j = 0; j < kQK / 2; ++j)
    b[1 + j] = uint8_t(nearest_entry(kE2M1Doubled, x[j], half_scale) |
                       nearest_entry(kE2M1Doubled, x[j + kQK / 2], half_scale) << 4);
}

}  // namespace lmc::models
