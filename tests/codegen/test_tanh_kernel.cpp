// The generated tanh kernel over the whole f32 range against std::tanh in double: within
// a few ulp of the correctly rounded value from subnormals through the range where tanh
// rounds to ±1 and on to ±inf; -0 stays -0 and NaN stays NaN. (Kernels are loaded
// without libm, so tanh is built from plain vector instructions: codegen/llvm/builder/llvm_math.cpp.)
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

#include "tests/codegen/kernel_test_util.h"

namespace lmc::test {
namespace {

constexpr int64_t kWidth = 64;
constexpr double kMaxUlp = 3;

// Every 4099th positive f32 bit pattern (all exponents, scattered mantissas), each with
// both signs, then the special values; padded to whole rows of kWidth.
std::vector<float> inputs() {
  std::vector<float> x;
  for (uint32_t bits = 0; bits < 0x7f800000u; bits += 4099) {
    float v = std::bit_cast<float>(bits);
    x.push_back(v);
    x.push_back(-v);
  }
  const float inf = std::numeric_limits<float>::infinity();
  for (float v : {0.0f, -0.0f, inf, -inf, std::numeric_limits<float>::quiet_NaN(), 9.0f, 9.1f, -9.1f, 1e-30f})
    x.push_back(v);
  while (x.size() % kWidth) x.push_back(0.5f);
  return x;
}

std::vector<float> run_tanh(const std::vector<float>& x) {
  codegen::KernelDesc d;
  d.kind = "tanh";
  d.operands.push_back(make_type(ir::DType::f32, {T(), D(kWidth)}));
  d.results = d.operands;
  LoadedKernel k = load_kernel(d);
  std::vector<float> in = x, y(x.size(), 0.0f);
  int64_t syms[ir::kNumSyms] = {static_cast<int64_t>(x.size()) / kWidth, 1};
  run_kernel(k, {in.data(), y.data()}, syms, 2);
  return y;
}

// |got - want| in units of the last place of want as an f32 (subnormals' spacing below 2^-126).
double ulp_error(float got, double want) {
  int e = std::max(std::ilogb(std::fabs(want)), -126);
  return std::fabs(static_cast<double>(got) - want) / std::ldexp(1.0, e - 23);
}

TEST(TanhKernel, WithinAFewUlpOverEveryExponent) {
  auto x = inputs();
  auto y = run_tanh(x);
  double worst = 0;
  float worst_x = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    if (std::isnan(x[i])) continue;
    double err = ulp_error(y[i], std::tanh(static_cast<double>(x[i])));
    if (err > worst) worst = err, worst_x = x[i];
  }
  EXPECT_LE(worst, kMaxUlp) << "at x = " << worst_x;
}

TEST(TanhKernel, KeepsSignedZeroInfinitiesAndNaN) {
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> x = {0.0f, -0.0f, inf, -inf, std::numeric_limits<float>::quiet_NaN(), 40.0f, -1e-40f};
  x.resize(kWidth, 0.0f);
  auto y = run_tanh(x);
  EXPECT_EQ(std::bit_cast<uint32_t>(y[0]), 0u);
  EXPECT_EQ(std::bit_cast<uint32_t>(y[1]), 0x80000000u);
  EXPECT_EQ(y[2], 1.0f);
  EXPECT_EQ(y[3], -1.0f);
  EXPECT_TRUE(std::isnan(y[4]));
  EXPECT_EQ(y[5], 1.0f);
  EXPECT_EQ(y[6], -1e-40f);
}

}  // namespace
}  // namespace lmc::test
