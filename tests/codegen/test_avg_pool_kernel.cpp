// The generated avg_pool kernel against reference_avg_pool: grids of static side² rows and
// of T rows, windows of 1 (a copy), 2, 4 (Gemma 3's 64 x 64 patches to 16 x 16 at a smaller
// side) and the whole grid, widths of whole vectors and with a partial one, 1 or 2 threads.
// f32 sums of window² values against doubles: 1e-6 relative.
#include <gtest/gtest.h>

#include <cmath>

#include "codegen/kernel_compiler.h"
#include "support/error.h"
#include "tests/codegen/kernel_test_util.h"
#include "tests/codegen/reference_kernels.h"

namespace lmc::test {
namespace {

codegen::KernelDesc desc(int64_t side, int64_t window, int64_t width, bool symbolic) {
  codegen::KernelDesc d;
  d.kind = "avg_pool";
  d.operands = {make_type(ir::DType::f32, {symbolic ? T() : D(side * side), D(width)})};
  d.results = {make_type(ir::DType::f32, {D((side / window) * (side / window)), D(width)})};
  d.attrs["side"] = side;
  d.attrs["window"] = window;
  return d;
}

TEST(AvgPoolKernel, AveragesEachWindowOfTheGrid) {
  uint32_t seed = 1;
  struct Grid {
    int64_t side, window;
  };
  for (Grid g : {Grid{4, 1}, Grid{4, 2}, Grid{16, 4}, Grid{12, 4}, Grid{6, 6}})
    for (int64_t width : {8, 21, 64})
      for (bool symbolic : {false, true}) {
        LoadedKernel k = load_kernel(desc(g.side, g.window, width, symbolic));
        int64_t pooled = (g.side / g.window) * (g.side / g.window);
        int64_t syms[ir::kNumSyms] = {g.side * g.side, 1};
        EXPECT_EQ(k.info.items(syms), pooled);
        auto x = random_floats(g.side * g.side * width, seed++, -2.0f, 2.0f);
        auto want = reference_avg_pool(x.data(), g.side, g.window, width);
        for (int threads : {1, 2}) {
          std::vector<float> y(pooled * width, NAN);
          run_kernel(k, {x.data(), y.data()}, syms, threads);
          EXPECT_EQ(mismatches(y, want, 1e-6, 1e-7), "")
              << "side=" << g.side << " window=" << g.window << " D=" << width << " threads=" << threads
              << (symbolic ? " (T rows)" : "");
        }
      }
}

TEST(AvgPoolKernel, RejectsMalformedDescriptors) {
  codegen::KernelCompiler compiler;
  auto ragged = desc(6, 4, 8, false);
  EXPECT_PRED2(contains, add_error(ragged), "positive multiple of window");
  auto short_grid = desc(8, 4, 8, false);
  short_grid.operands[0] = make_type(ir::DType::f32, {D(60), D(8)});
  EXPECT_PRED2(contains, add_error(short_grid), "side² rows or T");
  auto wide = desc(8, 4, 8, false);
  wide.results[0] = make_type(ir::DType::f32, {D(4), D(9)});
  EXPECT_PRED2(contains, add_error(wide), "(side / window)² rows of the grid's width");
}

}  // namespace
}  // namespace lmc::test
