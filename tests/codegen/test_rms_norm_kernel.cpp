// The generated rms_norm kernel against reference_rms_norm: whole-row and per-head
// (G < D) groups, offset 0 and 1, odd widths (vector tails), several row counts and
// 1 or 2 threads. Tolerance: 1e-5 relative + 1e-6 absolute (f32 sums of up to a
// few thousand squares against a double reference).
#include <gtest/gtest.h>

#include <cmath>

#include "codegen/kernel_compiler.h"
#include "support/error.h"
#include "tests/codegen/kernel_test_util.h"
#include "tests/codegen/reference_kernels.h"

namespace lmc::test {
namespace {

codegen::KernelDesc desc(int64_t width, int64_t group, double offset) {
  codegen::KernelDesc d;
  d.kind = "rms_norm";
  d.operands = {make_type(ir::DType::f32, {T(), D(width)}), make_type(ir::DType::f32, {D(group)})};
  d.results = {d.operands[0]};
  d.attrs["eps"] = 1e-6;
  d.attrs["offset"] = offset;
  return d;
}

TEST(RmsNormKernel, MatchesReferenceAcrossShapesRowsAndThreads) {
  struct Case {
    int64_t width, group;
    double offset;
  };
  const Case cases[] = {{640, 640, 1.0}, {640, 64, 1.0}, {1024, 256, 0.0},  {33, 33, 0.0},
                        {7, 7, 1.0},     {100, 20, 0.0}, {1152, 1152, 0.0}, {96, 3, 1.0}};
  uint32_t seed = 1;
  for (const auto& c : cases) {
    LoadedKernel k = load_kernel(desc(c.width, c.group, c.offset));
    for (int64_t rows : {1, 4, 13}) {
      for (int threads : {1, 2}) {
        auto x = random_floats(rows * c.width, seed++, -3.0f, 3.0f);
        auto w = random_floats(c.group, seed++);
        std::vector<float> y(x.size(), NAN);
        int64_t syms[ir::kNumSyms] = {rows, 1};
        run_kernel(k, {x.data(), w.data(), y.data()}, syms, threads);
        auto want = reference_rms_norm(x.data(), rows, c.width, w.data(), c.group, 1e-6, c.offset);
        EXPECT_EQ(mismatches(y, want, 1e-5, 1e-6), "") << "D=" << c.width << " G=" << c.group << " offset=" << c.offset
                                                       << " rows=" << rows << " threads=" << threads;
      }
    }
  }
}

TEST(RmsNormKernel, ZeroRowIsScaledByEpsOnly) {
  LoadedKernel k = load_kernel(desc(16, 16, 0.0));
  std::vector<float> x(16, 0.0f), w(16, 1.0f), y(16, NAN);
  int64_t syms[ir::kNumSyms] = {1, 1};
  run_kernel(k, {x.data(), w.data(), y.data()}, syms, 1);
  for (float v : y) EXPECT_EQ(v, 0.0f);
}

TEST(RmsNormKernel, RejectsMalformedDescriptors) {
  codegen::KernelCompiler compiler;
  EXPECT_THROW(compiler.add(desc(100, 30, 0.0)), Error);  // G does not divide D
  auto no_eps = desc(64, 64, 0.0);
  no_eps.attrs.erase("eps");
  EXPECT_THROW(compiler.add(no_eps), Error);
  auto f16_weight = desc(64, 64, 0.0);
  f16_weight.operands[1].dtype = ir::DType::f16;
  EXPECT_THROW(compiler.add(f16_weight), Error);
}

}  // namespace
}  // namespace lmc::test
