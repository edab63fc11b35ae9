// A file's Q4_K, Q5_K and Q6_K super-blocks moved into the q4_kx16, q5_kx16 and q6_kx16
// panels the kernels multiply (ir/dtype.h): per 16 rows and super-block, the rows' headers
// field by field, then each 32-value piece as a q4_1x16 (q5_1x16) block's quants. Only bits
// move — the nibbles of a piece regrouped so a byte pairs values l and l + 16, Q5_K's fifth
// bits gathered per piece, Q6_K's high parts as two words per piece — so the values and the
// size stay the file's.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "ir/dtype.h"

namespace lmc::models {

std::vector<uint8_t> interleave_super_panels(std::span<const uint8_t> supers, ir::DType panels, int64_t rows,
                                             int64_t cols);

}  // namespace lmc::models
