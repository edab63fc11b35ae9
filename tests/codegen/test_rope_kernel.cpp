// The generated rope kernel against reference_rope: neox and normal pairing, head
// sizes with and without vector tails, one or several heads, positions from 0 to
// long contexts, consecutive or each row its own (rows of several sequences in one
// step), several row counts, 1 or 2 threads, and in place (y == x).
// Tolerance: 1e-5 relative + 1e-6 absolute; the angles are computed in f64, so the
// error does not grow with the position.
#include <gtest/gtest.h>

#include <cmath>

#include "codegen/kernel_compiler.h"
#include "ir/error.h"
#include "tests/codegen/kernel_test_util.h"
#include "tests/codegen/reference_kernels.h"

namespace lmc::test {
namespace {

codegen::KernelDesc desc(int64_t heads, int64_t head_dim, double base, const std::string& style) {
  codegen::KernelDesc d;
  d.kind = "rope";
  d.operands = {make_type(ir::DType::f32, {T(), D(heads * head_dim)}), make_type(ir::DType::i32, {T()})};
  d.results = {d.operands[0]};
  d.attrs["head_dim"] = head_dim;
  d.attrs["base"] = base;
  d.attrs["style"] = style;
  return d;
}

TEST(RopeKernel, MatchesReferenceAcrossStylesShapesPositionsAndThreads) {
  struct Case { int64_t heads, head_dim; double base; };
  const Case cases[] = {{4, 64, 10000.0}, {1, 256, 1000000.0}, {3, 6, 10000.0}, {2, 18, 500.0}, {9, 64, 100000.0}};
  uint32_t seed = 1;
  for (const char* style : {"neox", "normal"}) {
    for (const auto& c : cases) {
      LoadedKernel k = load_kernel(desc(c.heads, c.head_dim, c.base, style));
      int64_t width = c.heads * c.head_dim;
      const std::vector<std::vector<int32_t>> position_sets = {
          {0}, {7}, {40000}, {1000, 1001, 1002, 1003, 1004}, {0, 1, 2, 3, 4}, {40000, 3, 7, 0, 1000}};
      for (const auto& positions : position_sets) {
        auto rows = static_cast<int64_t>(positions.size());
        for (int threads : {1, 2}) {
          auto x = random_floats(rows * width, seed++, -2.0f, 2.0f);
          std::vector<float> y(x.size(), NAN);
          int64_t syms[ir::kNumSyms] = {rows, 1};
          run_kernel(k, {x.data(), const_cast<int32_t*>(positions.data()), y.data()}, syms, threads);
          bool neox = std::string(style) == "neox";
          auto want = reference_rope(x.data(), rows, width, positions.data(), c.head_dim, c.base, neox);
          EXPECT_EQ(mismatches(y, want, 1e-5, 1e-6), "") << style << " H=" << c.heads << " hd=" << c.head_dim
                                                       << " first position " << positions[0] << " rows=" << rows
                                                       << " threads=" << threads;
        }
      }
    }
  }
}

TEST(RopeKernel, InPlace) {
  for (const char* style : {"neox", "normal"}) {
    LoadedKernel k = load_kernel(desc(2, 20, 10000.0, style));
    auto x = random_floats(3 * 40, 3);
    int32_t positions[] = {11, 12, 500};
    auto want = reference_rope(x.data(), 3, 40, positions, 20, 10000.0, std::string(style) == "neox");
    int64_t syms[ir::kNumSyms] = {3, 1};
    run_kernel(k, {x.data(), positions, x.data()}, syms, 2);
    EXPECT_EQ(mismatches(x, want, 1e-5, 1e-6), "") << style;
  }
}

TEST(RopeKernel, RejectsMalformedDescriptors) {
  codegen::KernelCompiler compiler;
  EXPECT_THROW(compiler.add(desc(2, 7, 10000.0, "neox")), Error);  // odd head_dim
  EXPECT_THROW(compiler.add(desc(2, 8, 10000.0, "gptj")), Error);
  auto ragged = desc(2, 8, 10000.0, "neox");
  ragged.operands[0] = ragged.results[0] = make_type(ir::DType::f32, {T(), D(20)});
  EXPECT_THROW(compiler.add(ragged), Error);
  auto f32_pos = desc(2, 8, 10000.0, "normal");
  f32_pos.operands[1].dtype = ir::DType::f32;
  EXPECT_THROW(compiler.add(f32_pos), Error);
  auto scalar_pos = desc(2, 8, 10000.0, "normal");
  scalar_pos.operands[1] = make_type(ir::DType::i32, {});
  EXPECT_THROW(compiler.add(scalar_pos), Error);
}

}  // namespace
}  // namespace lmc::test
