// A file's Q4_K and Q5_K super-blocks moved into the q4_kx16 and q5_kx16 panels the int8
// kernels multiply (ir/dtype.h): per 16 rows and super-block, the rows' headers word by
// word, then each 32-value piece as a q4_1x16 (q5_1x16) block's quants. Only bits move —
// the nibbles of a piece regrouped so a byte pairs values l and l + 16, Q5_K's fifth bits
// gathered per piece — so the values and the size stay the file's.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "ir/dtype.h"

namespace lmc::models {

std::vector<uint8_t> interleave_super_panels(std::span<const uint8_t> supers, ir::DType panels, int64_t rows,
                                             int64_t cols);

}  // namespace lmc::models
