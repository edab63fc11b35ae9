// The constant tables of ggml's i-quant formats: a block stores indices into these grids
// (each row one group of 8 or 4 values, before the block's scale and signs apply); IQ4_NL's
// and IQ4_XS's 16 non-linear values are the dtypes' (ir::iq4_values). models/quant/iq_grids.cpp holds
// the grids packed as the format defines them (a 16-bit row of indices into a few values)
// and is generated from gguf-py by scripts/gen_iq_grids.py; IqGrid unpacks one on first use.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace lmc::models {

class IqGrid {
 public:
  // `rows` packed rows of `width` indices into `map` (2 bits each for up to 4 values, 3 bits
  // for up to 8; low bits first in each byte).
  IqGrid(const uint16_t* packed, int rows, int width, std::vector<int8_t> map);
  const int8_t* row(size_t i) const { return &values_[i * static_cast<size_t>(width_)]; }

 private:
  int width_;
  std::vector<int8_t> values_;
};

const IqGrid& iq2_xxs_grid();  // 256 x 8
const IqGrid& iq2_xs_grid();   // 512 x 8
const IqGrid& iq2_s_grid();    // 1024 x 8
const IqGrid& iq3_xxs_grid();  // 256 x 4
const IqGrid& iq3_s_grid();    // 512 x 4
const IqGrid& iq1_s_grid();    // 2048 x 8, also IQ1_M's

}  // namespace lmc::models
