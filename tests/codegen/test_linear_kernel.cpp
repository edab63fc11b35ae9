// The generated linear kernels (decode and prefill paths, f32, q8_0 and every block type kept from a file) as a
// plain op and as the anchor of fusion regions: a prologue computing the input as it
// is loaded (rms_norm; act(gate)*up through split, an activation and mul) and an
// epilogue on each output (bias, residual, activation). Against the plain reference
// kernels composed the same way, over odd shapes (K not a multiple of 8 for f32),
// several row counts and 1 or 2 threads; and the descriptors and regions it refuses.
// The bits each block type gives are test_linear_kernel_bits.cpp's.
#include <gtest/gtest.h>

#include <cmath>
#include <iterator>
#include <map>

#include "codegen/kernel_compiler.h"
#include "codegen/kernel_library.h"
#include "tests/codegen/kernel_test_util.h"
#include "tests/codegen/linear_case.h"

namespace lmc::test {
namespace {

std::vector<LinearCase> all_cases() {
  std::vector<LinearCase> cases;
  struct Shape {
    ir::DType wt;
    int64_t K, N;
  };
  const Shape shapes[] = {{ir::DType::q8_0, 32, 1},
                          {ir::DType::q8_0, 96, 37},
                          {ir::DType::q8_0, 640, 129},
                          {ir::DType::q8_0, 288, 20},
                          {ir::DType::q4_0, 32, 3},
                          {ir::DType::q4_0, 640, 129},
                          {ir::DType::q4_1, 96, 37},
                          {ir::DType::q4_1, 288, 20},
                          {ir::DType::q5_0, 64, 9},
                          {ir::DType::q5_0, 640, 129},
                          {ir::DType::q5_1, 96, 37},
                          {ir::DType::q8_0x16, 32, 16},
                          {ir::DType::q8_0x16, 96, 48},
                          {ir::DType::q8_0x16, 640, 144},
                          {ir::DType::q4_0x16, 32, 16},
                          {ir::DType::q4_0x16, 640, 144},
                          {ir::DType::q4_1x16, 96, 48},
                          {ir::DType::q4_1x16, 288, 32},
                          {ir::DType::q5_0x16, 64, 16},
                          {ir::DType::q5_0x16, 640, 144},
                          {ir::DType::q5_1x16, 96, 48},
                          {ir::DType::q4_k, 256, 37},
                          {ir::DType::q4_k, 768, 9},
                          {ir::DType::q5_k, 512, 20},
                          {ir::DType::q6_k, 256, 37},
                          {ir::DType::q6_k, 768, 9},
                          {ir::DType::q4_kx16, 256, 32},
                          {ir::DType::q4_kx16, 768, 16},
                          {ir::DType::q5_kx16, 512, 32},
                          {ir::DType::q6_kx16, 256, 32},
                          {ir::DType::q6_kx16, 768, 16},
                          {ir::DType::q3_k, 256, 37},
                          {ir::DType::q3_k, 768, 9},
                          {ir::DType::q2_k, 256, 37},
                          {ir::DType::q2_k, 512, 20},
                          {ir::DType::iq4_nl, 96, 37},
                          {ir::DType::iq4_nl, 640, 129},
                          {ir::DType::iq4_xs, 256, 37},
                          {ir::DType::iq4_xs, 512, 20},
                          {ir::DType::mxfp4, 96, 37},
                          {ir::DType::mxfp4, 640, 129},
                          // Long rows: the int8 prefill quantizes fewer rows at a time.
                          {ir::DType::q8_0, 4096, 24},
                          {ir::DType::q4_1, 4096, 9},
                          {ir::DType::q8_0x16, 4096, 32},
                          {ir::DType::q4_1x16, 4096, 16},
                          {ir::DType::q4_k, 4096, 9},
                          {ir::DType::q6_k, 4096, 9},
                          {ir::DType::q4_kx16, 4096, 16},
                          {ir::DType::q3_k, 4096, 9},
                          {ir::DType::q2_k, 4096, 9},
                          {ir::DType::iq4_xs, 4096, 9},
                          {ir::DType::f32, 13, 5},
                          {ir::DType::f32, 100, 37},
                          {ir::DType::f32, 257, 40},
                          {ir::DType::f32, 640, 17}};
  struct Variant {
    Prologue prologue;
    const char* gate_act;
    bool bias, residual;
    const char* out_act;
  };
  const Variant variants[] = {
      {Prologue::None, "", false, false, ""},  // the plain op
      {Prologue::None, "", true, false, ""},        {Prologue::None, "", false, true, ""},
      {Prologue::None, "", true, true, ""},         {Prologue::None, "", true, true, "gelu_tanh"},
      {Prologue::GateUp, "silu", false, false, ""}, {Prologue::GateUp, "gelu_tanh", false, true, ""},
      {Prologue::GateUp, "gelu", true, true, ""},   {Prologue::Norm, "", false, false, ""},
      {Prologue::Norm, "", true, true, "silu"},
  };
  // Each shape as the plain op and in two regions, the regions taken in turn so that every
  // region meets every family of weight types (a region's prologue and epilogue code is the
  // same whatever the weights; the cross product compiled 600 kernels and took 5 of CI's
  // minutes for nothing the turn does not catch).
  constexpr size_t kRegions = std::size(variants) - 1;
  for (size_t i = 0; i < std::size(shapes); ++i) {
    const Shape& s = shapes[i];
    for (size_t v : {size_t{0}, 1 + (2 * i) % kRegions, 1 + (2 * i + 1) % kRegions})
      cases.push_back({s.wt, s.K, s.N, variants[v].prologue, variants[v].gate_act, variants[v].bias,
                       variants[v].residual, variants[v].out_act});
  }
  return cases;
}

void expect_matches(const LinearData& data, const LinearCase& c, int64_t T, const std::string& what) {
  int bad = 0;
  for (int64_t i = 0; i < T * c.N && bad < 5; ++i) {
    double err = std::fabs(data.y[i] - data.expect[i]);
    if (!(err <= data.tolerance[i])) {
      ++bad;
      ADD_FAILURE() << what << " row " << i / c.N << " col " << i % c.N << ": got " << data.y[i] << ", want "
                    << data.expect[i] << " (tolerance " << data.tolerance[i] << ")";
    }
  }
}

// The cases in kSlices interleaved slices, each a test of its own, so that ctest runs them
// side by side: compiling the kernels is most of the time.
constexpr int kSlices = 4;
class LinearKernelSlice : public ::testing::TestWithParam<int> {};

TEST_P(LinearKernelSlice, MatchesReferenceAcrossShapesRegionsRowsAndThreads) {
  if (kSanitizedBuild && GetParam() != 0) GTEST_SKIP() << "the sanitizer build runs one slice";
  std::vector<LinearCase> cases;
  const std::vector<LinearCase> all = all_cases();
  for (size_t i = GetParam(); i < all.size(); i += kSlices) cases.push_back(all[i]);
  codegen::KernelCompiler compiler;
  std::vector<std::string> names;
  for (const auto& c : cases) names.push_back(compiler.add(linear_desc(c)));
  std::map<std::string, codegen::KernelInfo> infos;
  for (const auto& k : compiler.kernels()) infos[k.name] = k.info;
  auto lib = codegen::KernelLibrary::compile(compiler);

  uint32_t seed = 1;
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    lmc_kernel_fn fn = lib->lookup(names[i]);
    // Decode (one group of rows, two groups of a prologue's f32 rows), prefill (two input panels at 100).
    for (int64_t T : {1, 3, 7, 8, 9, 17, 100}) {
      for (int threads : {1, 2}) {
        LinearData data(c, T, seed++);
        int64_t syms[ir::kNumSyms] = {T, 1};
        run_split(fn, data.args(c), syms, infos.at(names[i]).items(syms), threads);
        expect_matches(data, c, T, case_name(c) + " T=" + std::to_string(T) + " threads=" + std::to_string(threads));
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(LinearKernel, LinearKernelSlice, ::testing::Range(0, kSlices));

TEST(LinearKernel, StaticRowCount) {
  for (const LinearCase& c : {LinearCase{ir::DType::q8_0, 64, 24, Prologue::None, "", true, false, ""},
                              LinearCase{ir::DType::f32, 40, 24, Prologue::Norm, "", false, true, ""}}) {
    codegen::KernelCompiler compiler;
    std::string name = compiler.add(linear_desc(c, D(9)));
    auto lib = codegen::KernelLibrary::compile(compiler);
    LinearData data(c, 9, 77);
    int64_t syms[ir::kNumSyms] = {1, 1};  // T is not read: the rows are static
    EXPECT_EQ(compiler.kernels().front().info.items(syms), 9);  // the rows, as at 9 rows of a T
    run_split(lib->lookup(name), data.args(c), syms, 9, 2);
    expect_matches(data, c, 9, "static rows " + case_name(c));
  }
}

TEST(LinearKernel, EmptyRangeWritesNothing) {
  for (const LinearCase& c : {LinearCase{ir::DType::f32, 16, 8, Prologue::None, "", false, false, ""},
                              LinearCase{ir::DType::q8_0, 32, 8, Prologue::Norm, "", true, true, "silu"}}) {
    codegen::KernelCompiler compiler;
    std::string name = compiler.add(linear_desc(c));
    auto lib = codegen::KernelLibrary::compile(compiler);
    for (int64_t T : {3, 17}) {
      LinearData data(c, T, 5);
      int64_t syms[ir::kNumSyms] = {T, 1};
      lib->lookup(name)(data.args(c).data(), syms, 4, 4);
      for (float v : data.y) EXPECT_TRUE(std::isnan(v)) << case_name(c) << " T=" << T;
    }
  }
}

TEST(LinearKernel, RejectsMalformedDescriptors) {
  LinearCase c{ir::DType::q8_0, 64, 8, Prologue::None, "", false, false, ""};
  auto bad_k = linear_desc(c);
  bad_k.operands[0] = make_type(ir::DType::f32, {T(), D(60)});
  EXPECT_PRED2(contains, add_error(bad_k), "weight input dim is 64, expected 60");
  EXPECT_PRED2(contains, add_error(linear_desc({ir::DType::q8_0, 48, 8, Prologue::None, "", false, false, ""})),
               "K must be a multiple of the weight's block size");
  EXPECT_PRED2(contains, add_error(linear_desc({ir::DType::q8_0x16, 64, 24, Prologue::None, "", false, false, ""})),
               "N must be whole panels of 16 rows");
  // An activation on a linear is a fusion region's work, not an attribute of the linear.
  auto act = linear_desc(c);
  act.attrs["act"] = std::string("silu");
  EXPECT_PRED2(contains, add_error(act), "has unknown attribute 'act'");
  // A third operand is a weight part, not a bias: it must be a matrix.
  auto bias = linear_desc(c);
  bias.operands.push_back(make_type(ir::DType::f32, {D(8)}));
  EXPECT_PRED2(contains, add_error(bias), "operand 2 must have rank 2, has f32[8]");
}

TEST(LinearKernel, RejectsRegionsItCannotRun) {
  const std::string args = "graph @body(%x: f32[T,64], %w: f32[8,64], %g: f32[8], %gk: f32[16]) {\n";
  EXPECT_PRED2(contains,
               add_error(fusion_desc(args + "  %y = linear %x, %w : f32[T,8]\n"
                                            "  %n = rms_norm %y, %g {eps = 1e-5} : f32[T,8]\n"
                                            "  return %n\n}\n")),
               "op 'rms_norm' defining %n (line 3) cannot be applied to the anchor's output element by element");
  EXPECT_PRED2(contains,
               add_error(fusion_desc(args + "  %h = rms_norm %x, %gk {eps = 1e-5} : f32[T,64]\n"
                                            "  %y = linear %h, %w : f32[T,8]\n"
                                            "  return %y\n}\n")),
               "op 'rms_norm' defining %h (line 2) normalizes groups, not the whole row the anchor reads");
  EXPECT_PRED2(contains,
               add_error(fusion_desc(args + "  %w2 = scale %w {factor = 2.0} : f32[8,64]\n"
                                            "  %y = linear %x, %w2 : f32[T,8]\n"
                                            "  return %y\n}\n")),
               "op 'linear' defining %y (line 3): operand 1 must be a region argument");
  EXPECT_PRED2(contains,
               add_error(fusion_desc(args + "  %y = linear %x, %w : f32[T,8]\n"
                                            "  %s = silu %x : f32[T,64]\n"
                                            "  return %y, %s\n}\n")),
               "yield %s does not depend on the anchor op 'linear' defining %y (line 2)");
}

}  // namespace
}  // namespace lmc::test
