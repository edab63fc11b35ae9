// Packing f32 weights into the dtypes kernels read: q8_0x16 holds exactly q8_0's bytes,
// moved into 16-row panels (ir/dtype.h) — each row's block scale among its panel's 16,
// each 4 values among its panel's quads — and refuses rows that are not whole panels.
// A file's q4/q5 blocks go into their x16 types the same way: d (and m) each among the panel's 16, then each 4 bytes
// (q5's fifth bits, the nibbles) among the panel's chunks.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "models/quant/weight_packing.h"
#include "support/error.h"

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
  EXPECT_THROW(interleave_panels(std::vector<uint8_t>(24 * 20), ir::DType::q4_1x16, 24, 32), Error);
}

TEST(WeightPacking, FileBlockPanelsHoldTheFileBlocks) {
  struct Case {
    ir::DType panels;
    int64_t block_bytes, head_fields, field;
  };
  for (Case t : {Case{ir::DType::q4_0x16, 18, 1, 2}, Case{ir::DType::q4_1x16, 20, 2, 2},
                 Case{ir::DType::q5_0x16, 22, 1, 2}, Case{ir::DType::q5_1x16, 24, 2, 2}}) {
    constexpr int64_t kRows = 32, kCols = 64, kBlocks = kCols / 32;
    std::vector<uint8_t> rows(static_cast<size_t>(kRows * kBlocks * t.block_bytes));
    for (size_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<uint8_t>(i * 7 + i / 251);
    auto panels = interleave_panels(rows, t.panels, kRows, kCols);
    ASSERT_EQ(panels.size(), rows.size());
    const int64_t head = t.field * t.head_fields, chunks = (t.block_bytes - head) / 4;
    for (int64_t n = 0; n < kRows; ++n)
      for (int64_t j = 0; j < kBlocks; ++j) {
        const uint8_t* block = rows.data() + (n * kBlocks + j) * t.block_bytes;
        const uint8_t* panel_block = panels.data() + ((n / 16) * kBlocks + j) * 16 * t.block_bytes;
        int64_t r = n % 16;
        for (int64_t f = 0; f < t.head_fields; ++f)
          EXPECT_EQ(0, std::memcmp(panel_block + 16 * t.field * f + t.field * r, block + t.field * f, t.field))
              << ir::dtype_name(t.panels) << " field " << f << " of row " << n << " block " << j;
        for (int64_t c = 0; c < chunks; ++c)
          EXPECT_EQ(0, std::memcmp(panel_block + 16 * head + 64 * c + 4 * r, block + head + 4 * c, 4))
              << ir::dtype_name(t.panels) << " row " << n << " block " << j << " chunk " << c;
      }
  }
}

}  // namespace
}  // namespace lmc::models
