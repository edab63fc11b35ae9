// The generated concat kernel: rows of the operands side by side, exactly, for odd
// widths, several row counts and 1 or 2 threads.
#include <gtest/gtest.h>

#include <cmath>

#include "codegen/kernel_compiler.h"
#include "support/error.h"
#include "tests/codegen/kernel_test_util.h"

namespace lmc::test {
namespace {

codegen::KernelDesc desc(const std::vector<int64_t>& widths) {
  codegen::KernelDesc d;
  d.kind = "concat";
  int64_t total = 0;
  for (int64_t w : widths) {
    d.operands.push_back(make_type(ir::DType::f32, {T(), D(w)}));
    total += w;
  }
  d.results = {make_type(ir::DType::f32, {T(), D(total)})};
  d.attrs["axis"] = int64_t{1};
  return d;
}

TEST(ConcatKernel, JoinsRows) {
  const std::vector<int64_t> cases[] = {{640, 640}, {3, 5, 1}, {1}, {256, 1024, 256}};
  uint32_t seed = 1;
  for (const auto& widths : cases) {
    LoadedKernel k = load_kernel(desc(widths));
    int64_t total = 0;
    for (int64_t w : widths) total += w;
    for (int64_t rows : {1, 7}) {
      for (int threads : {1, 2}) {
        std::vector<std::vector<float>> xs;
        std::vector<void*> args;
        for (int64_t w : widths) xs.push_back(random_floats(rows * w, seed++));
        for (auto& x : xs) args.push_back(x.data());
        std::vector<float> y(rows * total, NAN);
        args.push_back(y.data());
        int64_t syms[ir::kNumSyms] = {rows, 1};
        run_kernel(k, args, syms, threads);
        std::vector<double> want;
        for (int64_t r = 0; r < rows; ++r)
          for (size_t i = 0; i < widths.size(); ++i)
            for (int64_t j = 0; j < widths[i]; ++j) want.push_back(xs[i][r * widths[i] + j]);
        EXPECT_EQ(mismatches(y, want, 0, 0), "")
            << widths.size() << " operands, rows=" << rows << " threads=" << threads;
      }
    }
  }
}

TEST(ConcatKernel, RejectsMalformedDescriptors) {
  codegen::KernelCompiler compiler;
  auto wide = desc({4, 4});
  wide.results[0] = make_type(ir::DType::f32, {T(), D(9)});
  EXPECT_THROW(compiler.add(wide), Error);
  auto rows_axis = desc({4, 4});
  rows_axis.attrs["axis"] = int64_t{0};
  EXPECT_THROW(compiler.add(rows_axis), Error);
  auto mixed = desc({4, 4});
  mixed.operands[1].dtype = ir::DType::f16;
  EXPECT_THROW(compiler.add(mixed), Error);
}

}  // namespace
}  // namespace lmc::test
