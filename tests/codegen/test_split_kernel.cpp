// The generated split kernel: each result gets its columns of every row, exactly,
// for the fused-QKV shapes and odd widths, several row counts and 1 or 2 threads.
#include <gtest/gtest.h>

#include <cmath>

#include "codegen/kernel_compiler.h"
#include "support/error.h"
#include "tests/codegen/kernel_test_util.h"

namespace lmc::test {
namespace {

codegen::KernelDesc desc(const std::vector<int64_t>& sizes) {
  codegen::KernelDesc d;
  d.kind = "split";
  int64_t total = 0;
  for (int64_t s : sizes) {
    d.results.push_back(make_type(ir::DType::f32, {T(), D(s)}));
    total += s;
  }
  d.operands = {make_type(ir::DType::f32, {T(), D(total)})};
  d.attrs["axis"] = int64_t{1};
  d.attrs["sizes"] = sizes;
  return d;
}

TEST(SplitKernel, CopiesColumnRanges) {
  const std::vector<int64_t> cases[] = {{1024, 256, 256}, {3, 5}, {1, 1, 1, 1}, {2048, 2048}};
  uint32_t seed = 1;
  for (const auto& sizes : cases) {
    LoadedKernel k = load_kernel(desc(sizes));
    int64_t total = 0;
    for (int64_t s : sizes) total += s;
    for (int64_t rows : {1, 7}) {
      for (int threads : {1, 2}) {
        auto x = random_floats(rows * total, seed++);
        std::vector<std::vector<float>> ys;
        std::vector<void*> args{x.data()};
        for (int64_t s : sizes) ys.emplace_back(rows * s, NAN);
        for (auto& y : ys) args.push_back(y.data());
        int64_t syms[ir::kNumSyms] = {rows, 1};
        run_kernel(k, args, syms, threads);
        int64_t col = 0;
        for (size_t i = 0; i < sizes.size(); ++i) {
          std::vector<double> want;
          for (int64_t r = 0; r < rows; ++r)
            for (int64_t j = 0; j < sizes[i]; ++j) want.push_back(x[r * total + col + j]);
          EXPECT_EQ(mismatches(ys[i], want, 0, 0), "") << "result " << i << " rows=" << rows << " threads=" << threads;
          col += sizes[i];
        }
      }
    }
  }
}

TEST(SplitKernel, RejectsMalformedDescriptors) {
  codegen::KernelCompiler compiler;
  auto short_sum = desc({4, 4});
  short_sum.operands[0] = make_type(ir::DType::f32, {T(), D(9)});
  EXPECT_THROW(compiler.add(short_sum), Error);
  auto rows_axis = desc({4, 4});
  rows_axis.attrs["axis"] = int64_t{0};
  EXPECT_THROW(compiler.add(rows_axis), Error);
  auto wrong_sizes = desc({4, 4});
  wrong_sizes.attrs["sizes"] = std::vector<int64_t>{2, 6};
  EXPECT_THROW(compiler.add(wrong_sizes), Error);
}

}  // namespace
}  // namespace lmc::test
