// The constant tables of ggml's i-quant formats: a block stores indices into these grids
// (each row one group of 8 or 4 values, before the block's scale and signs apply) and, for
// IQ4_NL and IQ4_XS, 4-bit indices into 16 non-linear values. models/iq_grids.cpp is
// generated from gguf-py by tools/gen_iq_grids.py.
#pragma once
#include <cstdint>

namespace lmc::models {

extern const int8_t kIq2XxsGrid[256][8];
extern const int8_t kIq2XsGrid[512][8];
extern const int8_t kIq2SGrid[1024][8];
extern const int8_t kIq3XxsGrid[256][4];
extern const int8_t kIq3SGrid[512][4];
extern const int8_t kIq1SGrid[2048][8];  // also IQ1_M's
extern const int8_t kIq4NlValues[16];

}  // namespace lmc::models
