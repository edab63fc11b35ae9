// The generated tail_rows kernel: the last L of T rows, exactly, for several T and L
// (including L == T) and 1 or 2 threads.
#include <gtest/gtest.h>

#include <cmath>

#include "codegen/kernel_compiler.h"
#include "support/error.h"
#include "tests/codegen/kernel_test_util.h"

namespace lmc::test {
namespace {

codegen::KernelDesc desc(int64_t width) {
  codegen::KernelDesc d;
  d.kind = "tail_rows";
  d.operands = {make_type(ir::DType::f32, {T(), D(width)})};
  d.results = {make_type(ir::DType::f32, {ir::Dim::symbolic(ir::Sym::L), D(width)})};
  return d;
}

TEST(TailRowsKernel, CopiesTheLastRows) {
  uint32_t seed = 1;
  for (int64_t width : {1, 33, 640}) {
    LoadedKernel k = load_kernel(desc(width));
    for (auto [rows, wanted] : {std::pair<int64_t, int64_t>{1, 1}, {9, 1}, {9, 4}, {9, 9}}) {
      for (int threads : {1, 2}) {
        auto x = random_floats(rows * width, seed++);
        std::vector<float> y(wanted * width, NAN);
        int64_t syms[ir::kNumSyms] = {rows, wanted};
        EXPECT_EQ(k.info.items(syms), wanted);
        run_kernel(k, {x.data(), y.data()}, syms, threads);
        std::vector<double> want(x.end() - wanted * width, x.end());
        EXPECT_EQ(mismatches(y, want, 0, 0), "")
            << "D=" << width << " T=" << rows << " L=" << wanted << " threads=" << threads;
      }
    }
  }
}

TEST(TailRowsKernel, RejectsMalformedDescriptors) {
  codegen::KernelCompiler compiler;
  auto narrow = desc(8);
  narrow.results[0] = make_type(ir::DType::f32, {ir::Dim::symbolic(ir::Sym::L), D(7)});
  EXPECT_THROW(compiler.add(narrow), Error);
}

}  // namespace
}  // namespace lmc::test
