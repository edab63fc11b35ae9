// The bytes of a random weight of any type a kernel reads: seeded values of order
// 1/sqrt(K), quantized into the type's blocks as a file would store them and interleaved
// into its panels, so every scale is a sane number. What the cost model times kernels on.
#pragma once
#include <cstdint>
#include <vector>

#include "ir/type.h"

namespace lmc::driver {

// `t` is a static [N, K] weight type; throws lmc::Error for a type no file stores.
std::vector<uint8_t> random_weight_bytes(const ir::Type& t, uint64_t seed);

}  // namespace lmc::driver
