// Packing f32 weights into the dtypes kernels read: q8_0x16 holds exactly q8_0's bytes,
// moved into 16-row panels (ir/dtype.h) — each row's block scale among its panel's 16,
// each 4 values among its panel's quads — and refuses rows that are not whole panels.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "ir/error.h"
#include "models/weight_packing.h"

namespace lmc::models {
namespace {

std::vector<float> ramp(int64_t n) {
  std::vector<float> x(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) x[i] = std::sin(0.37f * static_cast<float>(i)) * static_cast<float>(1 + i % 7);
  return x;
}

TEST(WeightPacking, PanelsHoldTheRowMajorBlocks) {
  constexpr int64_t kRows = 48, kCols = 96, kBlocks = kCols / 32;
  auto x = ramp(kRows * kCols);
  auto rows = pack_rows(x.data(), kRows, kCols, ir::DType::q8_0);
  auto panels = pack_rows(x.data(), kRows, kCols, ir::DType::q8_0x16);
  ASSERT_EQ(panels.size(), rows.size());
  for (int64_t n = 0; n < kRows; ++n)
    for (int64_t j = 0; j < kBlocks; ++j) {
      const uint8_t* block = rows.data() + (n * kBlocks + j) * 34;
      const uint8_t* panel_block = panels.data() + ((n / 16) * kBlocks + j) * 16 * 34;
      int64_t r = n % 16;
      EXPECT_EQ(0, std::memcmp(panel_block + 2 * r, block, 2)) << "scale of row " << n << " block " << j;
      for (int64_t q = 0; q < 8; ++q)
        EXPECT_EQ(0, std::memcmp(panel_block + 32 + 64 * q + 4 * r, block + 2 + 4 * q, 4))
            << "row " << n << " block " << j << " quad " << q;
    }
}

TEST(WeightPacking, PanelsNeedWholePanelsOfRows) {
  auto x = ramp(24 * 32);
  EXPECT_THROW(pack_rows(x.data(), 24, 32, ir::DType::q8_0x16), Error);
}

}  // namespace
}  // namespace lmc::models
