// The generated layer_norm kernel against reference_layer_norm, with rows whose mean
// is far from 0 (the centring matters), odd widths, several row counts and 1 or 2
// threads. Tolerance: 1e-5 relative + 1e-6 absolute.
#include <gtest/gtest.h>

#include <cmath>

#include "codegen/kernel_compiler.h"
#include "support/error.h"
#include "tests/codegen/kernel_test_util.h"
#include "tests/codegen/reference_kernels.h"

namespace lmc::test {
namespace {

codegen::KernelDesc desc(int64_t width) {
  codegen::KernelDesc d;
  d.kind = "layer_norm";
  d.operands = {make_type(ir::DType::f32, {T(), D(width)}), make_type(ir::DType::f32, {D(width)}),
                make_type(ir::DType::f32, {D(width)})};
  d.results = {d.operands[0]};
  d.attrs["eps"] = 1e-5;
  return d;
}

TEST(LayerNormKernel, MatchesReferenceAcrossWidthsRowsAndThreads) {
  uint32_t seed = 1;
  for (int64_t width : {5, 7, 33, 64, 640, 1000}) {
    LoadedKernel k = load_kernel(desc(width));
    for (int64_t rows : {1, 4, 13}) {
      for (int threads : {1, 2}) {
        auto x = random_floats(rows * width, seed++, 2.0f, 6.0f);
        auto w = random_floats(width, seed++);
        auto b = random_floats(width, seed++);
        std::vector<float> y(x.size(), NAN);
        int64_t syms[ir::kNumSyms] = {rows, 1};
        run_kernel(k, {x.data(), w.data(), b.data(), y.data()}, syms, threads);
        auto want = reference_layer_norm(x.data(), rows, width, w.data(), b.data(), 1e-5);
        EXPECT_EQ(mismatches(y, want, 1e-5, 1e-6), "") << "D=" << width << " rows=" << rows << " threads=" << threads;
      }
    }
  }
}

TEST(LayerNormKernel, RejectsMalformedDescriptors) {
  codegen::KernelCompiler compiler;
  auto short_bias = desc(64);
  short_bias.operands[2] = make_type(ir::DType::f32, {D(63)});
  EXPECT_THROW(compiler.add(short_bias), Error);
  auto two_operands = desc(64);
  two_operands.operands.pop_back();
  EXPECT_THROW(compiler.add(two_operands), Error);
}

}  // namespace
}  // namespace lmc::test
