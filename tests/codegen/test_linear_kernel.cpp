// The generated linear kernels (decode and prefill paths, f32 and q8_0 weights,
// bias / residual / fused activation) against reference_linear, over odd shapes,
// several row counts and 1 or 2 threads.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "codegen/kernel_compiler.h"
#include "codegen/kernel_library.h"
#include "ir/error.h"
#include "tests/codegen/kernel_test_util.h"
#include "tests/codegen/reference_kernels.h"

namespace lmc::test {
namespace {

// Row counts from which the prefill path runs (codegen/linear_common.h: kPrefillMinRows <= 17).
constexpr int64_t kExactRows = 17;

struct LinearCase {
  ir::DType wtype;
  int64_t K, N;
  bool bias, residual;
  std::string act;
};

codegen::KernelDesc linear_desc(const LinearCase& c, ir::Dim rows = T()) {
  codegen::KernelDesc d;
  d.kind = "linear";
  d.operands.push_back(make_type(ir::DType::f32, {rows, D(c.act.empty() ? c.K : 2 * c.K)}));
  d.operands.push_back(make_type(c.wtype, {D(c.N), D(c.K)}));
  if (c.bias) d.operands.push_back(make_type(ir::DType::f32, {D(c.N)}));
  if (c.residual) {
    d.operands.push_back(make_type(ir::DType::f32, {rows, D(c.N)}));
    d.attrs["residual"] = int64_t{1};
  }
  if (!c.act.empty()) d.attrs["act"] = c.act;
  d.results.push_back(make_type(ir::DType::f32, {rows, D(c.N)}));
  return d;
}

// Operands and expected output of one case at T rows.
struct LinearData {
  std::vector<float> x, wf, bias, res, y;
  std::vector<uint8_t> wq;
  std::vector<double> expect;
  std::vector<double> tolerance;

  LinearData(const LinearCase& c, int64_t T, uint32_t seed) {
    x = random_floats(T * (c.act.empty() ? c.K : 2 * c.K), seed, -2.0f, 2.0f);
    wf = random_floats(c.N * c.K, seed + 1);
    if (c.wtype == ir::DType::q8_0) wq = quantize_q8_0(wf.data(), c.N, c.K);
    if (c.bias) bias = random_floats(c.N, seed + 2);
    if (c.residual) res = random_floats(T * c.N, seed + 3);
    y.assign(T * c.N, NAN);
    LinearRef r{x.data(), weights(), c.wtype, c.bias ? bias.data() : nullptr,
                c.residual ? res.data() : nullptr, c.act, T, c.K, c.N};
    expect = reference_linear(r);
    tolerance = tolerances(c, T);
  }
  const void* weights() const { return wq.empty() ? static_cast<const void*>(wf.data()) : wq.data(); }

  // f32 rounding of a K-term sum, plus for q8_0 weights at decode row counts the
  // input quantization of the integer path: each input block is off by at most
  // half a step (max|x_block| / 254) per element. From kExactRows rows on the
  // kernel takes the f32 prefill path, which must match without that allowance.
  std::vector<double> tolerances(const LinearCase& c, int64_t T) const {
    std::vector<double> tol(T * c.N);
    std::vector<float> w(c.K);
    for (int64_t t = 0; t < T; ++t) {
      auto xr = linear_input_row(x.data(), c.act, t, c.K);
      for (int64_t n = 0; n < c.N; ++n) {
        if (c.wtype == ir::DType::q8_0) dequantize_q8_0_row(wq.data() + n * c.K / 32 * 34, c.K, w.data());
        else std::memcpy(w.data(), wf.data() + n * c.K, c.K * 4);
        double mag = 0, quant = 0;
        for (int64_t b = 0; b < c.K; b += 32) {
          double amax = 0, wsum = 0;
          for (int64_t k = b; k < std::min(b + 32, c.K); ++k) {
            amax = std::max(amax, std::fabs(xr[k]));
            wsum += std::fabs(w[k]);
            mag += std::fabs(xr[k] * w[k]);
          }
          quant += wsum * amax / 254.0;
        }
        bool quantized = c.wtype == ir::DType::q8_0 && T < kExactRows;
        tol[t * c.N + n] = 2e-6 * mag + 1e-6 + (quantized ? 1.01 * quant : 0.0);
      }
    }
    return tol;
  }

  std::vector<void*> args(const LinearCase& c) {
    std::vector<void*> a{x.data(), const_cast<void*>(weights())};
    if (c.bias) a.push_back(bias.data());
    if (c.residual) a.push_back(res.data());
    a.push_back(y.data());
    return a;
  }
};

std::string case_name(const LinearCase& c) {
  return std::string(ir::dtype_name(c.wtype)) + " K=" + std::to_string(c.K) + " N=" + std::to_string(c.N) +
         (c.bias ? " bias" : "") + (c.residual ? " residual" : "") + (c.act.empty() ? "" : " act=" + c.act);
}

std::vector<LinearCase> all_cases() {
  std::vector<LinearCase> cases;
  struct Shape { ir::DType wt; int64_t K, N; };
  const Shape shapes[] = {{ir::DType::q8_0, 32, 1},   {ir::DType::q8_0, 96, 37},
                          {ir::DType::q8_0, 640, 129}, {ir::DType::q8_0, 288, 20},
                          {ir::DType::f32, 13, 5},     {ir::DType::f32, 100, 37},
                          {ir::DType::f32, 257, 40},   {ir::DType::f32, 640, 17}};
  struct Variant { bool bias, residual; const char* act; };
  const Variant variants[] = {{false, false, ""},   {true, false, ""},         {false, true, ""},
                              {true, true, ""},     {false, false, "silu"},    {false, true, "gelu_tanh"},
                              {true, true, "gelu"}};
  for (const auto& s : shapes)
    for (const auto& v : variants) cases.push_back({s.wt, s.K, s.N, v.bias, v.residual, v.act});
  return cases;
}

void expect_matches(const LinearData& data, const LinearCase& c, int64_t T, const std::string& what) {
  int bad = 0;
  for (int64_t i = 0; i < T * c.N && bad < 5; ++i) {
    double err = std::fabs(data.y[i] - data.expect[i]);
    if (!(err <= data.tolerance[i])) {
      ++bad;
      ADD_FAILURE() << what << " row " << i / c.N << " col " << i % c.N << ": got " << data.y[i]
                    << ", want " << data.expect[i] << " (tolerance " << data.tolerance[i] << ")";
    }
  }
}

TEST(LinearKernel, MatchesReferenceAcrossShapesRowsAndThreads) {
  auto cases = all_cases();
  codegen::KernelCompiler compiler;
  std::vector<std::string> names;
  for (const auto& c : cases) names.push_back(compiler.add(linear_desc(c)));
  auto lib = codegen::KernelLibrary::jit(compiler);

  uint32_t seed = 1;
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    lmc_kernel_fn fn = lib->lookup(names[i]);
    for (int64_t T : {1, 3, 17, 64}) {
      for (int threads : {1, 2}) {
        LinearData data(c, T, seed++);
        int64_t syms[ir::kNumSyms] = {T, 1};
        run_split(fn, data.args(c), syms, c.N, threads);
        expect_matches(data, c, T,
                       case_name(c) + " T=" + std::to_string(T) + " threads=" + std::to_string(threads));
      }
    }
  }
}

TEST(LinearKernel, StaticRowCount) {
  LinearCase c{ir::DType::q8_0, 64, 24, true, false, ""};
  codegen::KernelCompiler compiler;
  std::string name = compiler.add(linear_desc(c, D(9)));
  auto lib = codegen::KernelLibrary::jit(compiler);
  LinearData data(c, 9, 77);
  int64_t syms[ir::kNumSyms] = {1, 1};  // T is not read: the rows are static
  run_split(lib->lookup(name), data.args(c), syms, c.N, 2);
  expect_matches(data, c, 9, "static rows");
}

TEST(LinearKernel, EmptyRangeWritesNothing) {
  LinearCase c{ir::DType::f32, 16, 8, false, false, ""};
  codegen::KernelCompiler compiler;
  std::string name = compiler.add(linear_desc(c));
  auto lib = codegen::KernelLibrary::jit(compiler);
  LinearData data(c, 3, 5);
  int64_t syms[ir::kNumSyms] = {3, 1};
  lib->lookup(name)(data.args(c).data(), syms, 4, 4);
  for (float v : data.y) EXPECT_TRUE(std::isnan(v));
}

TEST(LinearKernel, RejectsMalformedDescriptors) {
  codegen::KernelCompiler compiler;
  LinearCase c{ir::DType::q8_0, 64, 8, false, false, ""};
  auto bad_k = linear_desc(c);
  bad_k.operands[0] = make_type(ir::DType::f32, {T(), D(60)});
  EXPECT_THROW(compiler.add(bad_k), Error);
  auto ragged = linear_desc({ir::DType::q8_0, 48, 8, false, false, ""});
  EXPECT_THROW(compiler.add(ragged), Error);
  auto bad_act = linear_desc(c);
  bad_act.attrs["act"] = std::string("relu6");
  EXPECT_THROW(compiler.add(bad_act), Error);
  auto unknown_attr = linear_desc(c);
  unknown_attr.attrs["transpose"] = int64_t{1};
  EXPECT_THROW(compiler.add(unknown_attr), Error);
  auto bad_bias = linear_desc({ir::DType::f32, 64, 8, true, false, ""});
  bad_bias.operands[2] = make_type(ir::DType::f32, {D(9)});
  EXPECT_THROW(compiler.add(bad_bias), Error);
}

}  // namespace
}  // namespace lmc::test
