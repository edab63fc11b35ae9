// The 16 values an E2M1 nibble stands for (1 sign, 2 exponent, 1 mantissa bit), doubled so
// they are integers: MXFP4's and NVFP4's decoders halve their scales to match, and the
// MXFP4 encoder picks among them.
#pragma once
#include <cstdint>

namespace lmc::models {

inline constexpr int8_t kE2M1Doubled[16] = {0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12};

}  // namespace lmc::models
