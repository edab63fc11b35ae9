// The generated elementwise kernels (add, mul, scale, gelu, gelu_tanh, silu, tanh) against
// ref_elementwise, over odd row widths (vector tails), several row counts, static
// shapes of rank 1 and 3, and 1 or 2 threads; add and mul with operand 1 one row
// that applies to every row (a bias).
// Tolerance: arithmetic ops are one f32 rounding (1e-7 relative); the activations'
// polynomial exp/tanh/erfc allow 1e-6 relative + 1e-7 absolute (near their zeros).
#include <gtest/gtest.h>

#include <cmath>

#include "codegen/kernel_compiler.h"
#include "support/error.h"
#include "tests/codegen/kernel_test_util.h"
#include "tests/codegen/reference_kernels.h"

namespace lmc::test {
namespace {

constexpr double kFactor = 0.37;
const char* const kKinds[] = {"add", "mul", "scale", "gelu", "gelu_tanh", "silu", "tanh"};

bool is_binary(const std::string& kind) { return kind == "add" || kind == "mul"; }

codegen::KernelDesc desc(const std::string& kind, const ir::Type& t) {
  codegen::KernelDesc d;
  d.kind = kind;
  d.operands.assign(is_binary(kind) ? 2 : 1, t);
  d.results.push_back(t);
  if (kind == "scale") d.attrs["factor"] = kFactor;
  return d;
}

void check(const std::string& kind, const ir::Type& t, int64_t rows, int threads, uint32_t seed,
           const LoadedKernel& k) {
  int64_t syms[ir::kNumSyms] = {rows, 1};
  size_t n = static_cast<size_t>(t.numel(syms));
  auto a = random_floats(n, seed, -8.0f, 8.0f);
  auto b = random_floats(n, seed + 1, -8.0f, 8.0f);
  std::vector<float> y(n, NAN);
  std::vector<void*> args{a.data()};
  if (is_binary(kind)) args.push_back(b.data());
  args.push_back(y.data());
  run_kernel(k, args, syms, threads);
  std::vector<double> want(n);
  for (size_t i = 0; i < n; ++i) want[i] = ref_elementwise(kind, a[i], b[i], kFactor);
  bool arithmetic = is_binary(kind) || kind == "scale";
  EXPECT_EQ(mismatches(y, want, arithmetic ? 1e-7 : 1e-6, arithmetic ? 0.0 : 1e-7), "")
      << kind << " " << t.str() << " rows=" << rows << " threads=" << threads;
}

TEST(ElementwiseKernel, MatchesReferenceAcrossWidthsRowsAndThreads) {
  uint32_t seed = 1;
  for (const char* kind : kKinds) {
    for (int64_t width : {1, 7, 8, 33, 100, 640}) {
      ir::Type t = make_type(ir::DType::f32, {T(), D(width)});
      LoadedKernel k = load_kernel(desc(kind, t));
      for (int64_t rows : {1, 5, 19})
        for (int threads : {1, 2}) check(kind, t, rows, threads, seed += 2, k);
    }
  }
}

TEST(ElementwiseKernel, StaticShapesOfOtherRanks) {
  for (const char* kind : {"add", "silu"}) {
    for (const ir::Type& t : {make_type(ir::DType::f32, {D(37)}), make_type(ir::DType::f32, {D(3), D(5), D(7)})}) {
      LoadedKernel k = load_kernel(desc(kind, t));
      EXPECT_EQ(k.info.items(nullptr), t.dims[0].value);
      for (int threads : {1, 2}) check(kind, t, 0, threads, 99, k);
    }
  }
}

TEST(ElementwiseKernel, OneRowOperandAppliesToEveryRow) {
  uint32_t seed = 1;
  for (const char* kind : {"add", "mul"}) {
    for (int64_t width : {1, 33, 640}) {
      codegen::KernelDesc d = desc(kind, make_type(ir::DType::f32, {T(), D(width)}));
      d.operands[1] = make_type(ir::DType::f32, {D(width)});
      LoadedKernel k = load_kernel(d);
      for (int64_t rows : {1, 5}) {
        for (int threads : {1, 2}) {
          int64_t syms[ir::kNumSyms] = {rows, 1};
          size_t n = static_cast<size_t>(rows * width);
          auto a = random_floats(n, seed++, -8.0f, 8.0f);
          auto row = random_floats(width, seed++, -8.0f, 8.0f);
          std::vector<float> y(n, NAN);
          run_kernel(k, {a.data(), row.data(), y.data()}, syms, threads);
          std::vector<double> want(n);
          for (size_t i = 0; i < n; ++i) want[i] = ref_elementwise(kind, a[i], row[i % width], 0);
          EXPECT_EQ(mismatches(y, want, 1e-7, 0), "")
              << kind << " W=" << width << " rows=" << rows << " threads=" << threads;
        }
      }
    }
  }
}

TEST(ElementwiseKernel, RejectsMalformedDescriptors) {
  codegen::KernelCompiler compiler;
  auto mixed = desc("add", make_type(ir::DType::f32, {T(), D(8)}));
  mixed.operands[1] = make_type(ir::DType::f32, {T(), D(9)});
  EXPECT_THROW(compiler.add(mixed), Error);
  EXPECT_THROW(compiler.add(desc("silu", make_type(ir::DType::f32, {D(2), T()}))), Error);
  EXPECT_THROW(compiler.add(desc("gelu", make_type(ir::DType::f16, {T(), D(8)}))), Error);
  auto no_factor = desc("scale", make_type(ir::DType::f32, {T(), D(8)}));
  no_factor.attrs.clear();
  EXPECT_THROW(compiler.add(no_factor), Error);
}

}  // namespace
}  // namespace lmc::test
