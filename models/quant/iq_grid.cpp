#include "models/quant/iq_grids.h"

namespace lmc::models {

IqGrid::IqGrid(const uint16_t* packed, int rows, int width, std::vector<int8_t> map) : width_(width) {
  const int bits = map.size() <= 4 ? 2 : 3, per_byte = 8 / bits;
  values_.reserve(static_cast<size_t>(rows) * width);
  for (int r = 0; r < rows; ++r)
    for (int j = 0; j < width; ++j)
      values_.push_back(map[(packed[r] >> (8 * (j / per_byte) + (8 / per_byte) * (j % per_byte))) & ((1 << bits) - 1)]);
}

}  // namespace lmc::models
