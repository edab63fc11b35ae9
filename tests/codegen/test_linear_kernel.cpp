// The generated linear kernels (decode and prefill paths, f32, q8_0 and every block type kept from a file) as a
// plain op and as the anchor of fusion regions: a prologue computing the input as it
// is loaded (rms_norm; act(gate)*up through split, an activation and mul) and an
// epilogue on each output (bias, residual, activation). Against the plain reference
// kernels composed the same way, over odd shapes (K not a multiple of 8 for f32),
// several row counts and 1 or 2 threads.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <iterator>
#include <map>

#include "codegen/kernel_compiler.h"
#include "codegen/kernel_library.h"
#include "codegen/target.h"
#include "ir/attribute.h"
#include "tests/codegen/kernel_test_util.h"
#include "tests/codegen/reference_kernels.h"

namespace lmc::test {
namespace {

constexpr double kEps = 1e-5;

enum class Prologue { None, Norm, GateUp };

struct LinearCase {
  ir::DType wtype;
  int64_t K, N;
  Prologue prologue;
  std::string gate_act;  // GateUp: the input is gate_act(gate) * up of x = gate|up
  bool bias, residual;
  std::string out_act;   // applied last, after bias and residual
  bool fused() const { return prologue != Prologue::None || bias || residual || !out_act.empty(); }
};

// The plain linear op, or a fusion body around it. Kernel arguments: x, [norm
// weight g], w, [bias b], [residual r], then the output.
codegen::KernelDesc linear_desc(const LinearCase& c, ir::Dim rows = T()) {
  auto act = [&](int64_t width) { return "f32[" + rows.str() + "," + std::to_string(width) + "]"; };
  std::string k = std::to_string(c.K), n = std::to_string(c.N), in = act(c.K), out = act(c.N);
  std::string weight = std::string(ir::dtype_name(c.wtype)) + "[" + n + "," + k + "]";
  if (!c.fused()) {
    codegen::KernelDesc d;
    d.kind = "linear";
    d.operands = {make_type(ir::DType::f32, {rows, D(c.K)}), make_type(c.wtype, {D(c.N), D(c.K)})};
    d.results = {make_type(ir::DType::f32, {rows, D(c.N)})};
    return d;
  }
  std::string args = "%x: " + (c.prologue == Prologue::GateUp ? act(2 * c.K) : in), ops, x = "%x";
  if (c.prologue == Prologue::Norm) {
    args += ", %g: f32[" + k + "]";
    ops += "  %h = rms_norm %x, %g {eps = " + ir::format_double(kEps) + "} : " + in + "\n";
    x = "%h";
  } else if (c.prologue == Prologue::GateUp) {
    ops += "  %gate, %up = split %x {axis = 1, sizes = [" + k + ", " + k + "]} : " + in + ", " + in + "\n";
    ops += "  %a = " + c.gate_act + " %gate : " + in + "\n";
    ops += "  %h = mul %a, %up : " + in + "\n";
    x = "%h";
  }
  args += ", %w: " + weight;
  ops += "  %y = linear " + x + ", %w : " + out + "\n";
  std::string y = "%y";
  if (c.bias) {
    args += ", %b: f32[" + n + "]";
    ops += "  %yb = add " + y + ", %b : " + out + "\n";
    y = "%yb";
  }
  if (c.residual) {
    args += ", %r: " + out;
    ops += "  %yr = add " + y + ", %r : " + out + "\n";
    y = "%yr";
  }
  if (!c.out_act.empty()) {
    ops += "  %o = " + c.out_act + " " + y + " : " + out + "\n";
    y = "%o";
  }
  return fusion_desc("graph @body(" + args + ") {\n" + ops + "  return " + y + "\n}\n");
}

// Operands and expected output of one case at T rows.
struct LinearData {
  std::vector<float> x, g, wf, bias, res, y;
  std::vector<uint8_t> wq;
  std::vector<double> expect, tolerance;

  LinearData(const LinearCase& c, int64_t T, uint32_t seed) {
    x = random_floats(T * (c.prologue == Prologue::GateUp ? 2 * c.K : c.K), seed, -2.0f, 2.0f);
    if (c.prologue == Prologue::Norm) g = random_floats(c.K, seed + 4, 0.5f, 1.5f);
    wf = random_floats(c.N * c.K, seed + 1);
    ir::DType base = ir::panel_base(c.wtype);
    if (base == ir::DType::q8_0) wq = quantize_q8_0(wf.data(), c.N, c.K);
    if (ggml_type_of(base)) wq = random_ggml_blocks(c.N, c.K, base, seed + 1);
    else if (ir::is_kept_from_source(base)) wq = quantize_small(wf.data(), c.N, c.K, base);
    if (base != c.wtype) wq = to_panels(wq, c.wtype, c.N, c.K);
    if (c.bias) bias = random_floats(c.N, seed + 2);
    if (c.residual) res = random_floats(T * c.N, seed + 3);
    y.assign(T * c.N, NAN);
    std::vector<double> input = input_rows(c, T);
    expect = reference_linear(input, weights(), c.wtype, T, c.K, c.N);
    tolerance = tolerances(c, T, input);
    for (int64_t i = 0; i < T * c.N; ++i) {
      if (c.bias) expect[i] += bias[i % c.N];
      if (c.residual) expect[i] += res[i];
      tolerance[i] += 1.2e-7 * std::fabs(expect[i]);  // the epilogue's adds round once each
      if (c.out_act.empty()) continue;
      // The activation's slope (below 1.2) carries the error through; its own is 1e-6 relative + 1e-7.
      expect[i] = ref_activation(c.out_act, expect[i]);
      tolerance[i] = 1.2 * tolerance[i] + 1e-6 * std::fabs(expect[i]) + 1e-7;
    }
  }
  const void* weights() const { return wq.empty() ? static_cast<const void*>(wf.data()) : wq.data(); }

  // The linear's input [T, K] through the reference prologue.
  std::vector<double> input_rows(const LinearCase& c, int64_t T) const {
    if (c.prologue == Prologue::Norm) return reference_rms_norm(x.data(), T, c.K, g.data(), c.K, kEps, 0.0);
    std::vector<double> in(T * c.K);
    for (int64_t t = 0; t < T; ++t) {
      for (int64_t k = 0; k < c.K; ++k) {
        if (c.prologue == Prologue::GateUp) {
          const float* gu = x.data() + t * 2 * c.K;
          in[t * c.K + k] = ref_activation(c.gate_act, gu[k]) * gu[c.K + k];
        } else {
          in[t * c.K + k] = x[t * c.K + k];
        }
      }
    }
    return in;
  }

  // f32 rounding of a K-term sum, and of each input value a prologue computes
  // (polynomial activations, the norm's f32 sum of squares); plus for block weights the
  // input rounding of the integer paths (decode and prefill alike): each value of an
  // input group (32, or 256 for the K types) is off by at most half a step
  // (max|x_group| / 254), and a group of 32's scale by its f16 rounding (2^-11 of the
  // block's terms). f32 weights must match without that allowance.
  std::vector<double> tolerances(const LinearCase& c, int64_t T, const std::vector<double>& in) const {
    std::vector<double> tol(T * c.N);
    double rel = c.prologue == Prologue::None ? 2e-6 : 4e-6;
    for (int64_t n = 0; n < c.N; ++n) {
      std::vector<float> w = weight_row(weights(), c.wtype, c.K, n);
      for (int64_t t = 0; t < T; ++t) {
        const double* xr = in.data() + t * c.K;
        const int64_t group = input_group(c.wtype);
        double mag = 0, quant = 0;
        for (int64_t b = 0; b < c.K; b += group) {
          double amax = 0, wsum = 0, bmag = 0;
          for (int64_t k = b; k < std::min(b + group, c.K); ++k) {
            amax = std::max(amax, std::fabs(xr[k]));
            wsum += std::fabs(w[k]);
            bmag += std::fabs(xr[k] * w[k]);
          }
          mag += bmag;
          quant += wsum * amax / 254.0 + (group == 32 ? bmag / 2048.0 : 0.0);
        }
        bool quantized = ir::is_quantized(c.wtype);
        tol[t * c.N + n] = rel * mag + 1e-6 + (quantized ? 1.01 * quant : 0.0);
      }
    }
    return tol;
  }

  std::vector<void*> args(const LinearCase& c) {
    std::vector<void*> a{x.data()};
    if (c.prologue == Prologue::Norm) a.push_back(g.data());
    a.push_back(const_cast<void*>(weights()));
    if (c.bias) a.push_back(bias.data());
    if (c.residual) a.push_back(res.data());
    a.push_back(y.data());
    return a;
  }
};

std::string case_name(const LinearCase& c) {
  const char* prologue[] = {"", " rms_norm", " gate_up"};
  return std::string(ir::dtype_name(c.wtype)) + " K=" + std::to_string(c.K) + " N=" + std::to_string(c.N) +
         prologue[static_cast<int>(c.prologue)] + (c.gate_act.empty() ? "" : "(" + c.gate_act + ")") +
         (c.bias ? " bias" : "") + (c.residual ? " residual" : "") + (c.out_act.empty() ? "" : " " + c.out_act);
}

std::vector<LinearCase> all_cases() {
  std::vector<LinearCase> cases;
  struct Shape { ir::DType wt; int64_t K, N; };
  const Shape shapes[] = {{ir::DType::q8_0, 32, 1},   {ir::DType::q8_0, 96, 37},
                          {ir::DType::q8_0, 640, 129}, {ir::DType::q8_0, 288, 20},
                          {ir::DType::q4_0, 32, 3},    {ir::DType::q4_0, 640, 129},
                          {ir::DType::q4_1, 96, 37},   {ir::DType::q4_1, 288, 20},
                          {ir::DType::q5_0, 64, 9},    {ir::DType::q5_0, 640, 129},
                          {ir::DType::q5_1, 96, 37},
                          {ir::DType::q8_0x16, 32, 16}, {ir::DType::q8_0x16, 96, 48},
                          {ir::DType::q8_0x16, 640, 144},
                          {ir::DType::q4_0x16, 32, 16}, {ir::DType::q4_0x16, 640, 144},
                          {ir::DType::q4_1x16, 96, 48}, {ir::DType::q4_1x16, 288, 32},
                          {ir::DType::q5_0x16, 64, 16}, {ir::DType::q5_0x16, 640, 144},
                          {ir::DType::q5_1x16, 96, 48},
                          {ir::DType::q4_k, 256, 37},  {ir::DType::q4_k, 768, 9},
                          {ir::DType::q5_k, 512, 20},  {ir::DType::q6_k, 256, 37},
                          {ir::DType::q6_k, 768, 9},   {ir::DType::q4_kx16, 256, 32},
                          {ir::DType::q4_kx16, 768, 16}, {ir::DType::q5_kx16, 512, 32},
                          {ir::DType::q3_k, 256, 37},  {ir::DType::q3_k, 768, 9},
                          {ir::DType::q2_k, 256, 37},  {ir::DType::q2_k, 512, 20},
                          {ir::DType::iq4_nl, 96, 37}, {ir::DType::iq4_nl, 640, 129},
                          {ir::DType::iq4_xs, 256, 37}, {ir::DType::iq4_xs, 512, 20},
                          {ir::DType::mxfp4, 96, 37},  {ir::DType::mxfp4, 640, 129},
                          // Long rows: the int8 prefill quantizes fewer rows at a time.
                          {ir::DType::q8_0, 4096, 24}, {ir::DType::q4_1, 4096, 9}, {ir::DType::q8_0x16, 4096, 32},
                          {ir::DType::q4_1x16, 4096, 16},
                          {ir::DType::q4_k, 4096, 9},  {ir::DType::q6_k, 4096, 9},  {ir::DType::q4_kx16, 4096, 16},
                          {ir::DType::q3_k, 4096, 9},  {ir::DType::q2_k, 4096, 9},  {ir::DType::iq4_xs, 4096, 9},
                          {ir::DType::f32, 13, 5},     {ir::DType::f32, 100, 37},
                          {ir::DType::f32, 257, 40},   {ir::DType::f32, 640, 17}};
  struct Variant { Prologue prologue; const char* gate_act; bool bias, residual; const char* out_act; };
  const Variant variants[] = {
      {Prologue::None, "", false, false, ""},  // the plain op
      {Prologue::None, "", true, false, ""},
      {Prologue::None, "", false, true, ""},
      {Prologue::None, "", true, true, ""},
      {Prologue::None, "", true, true, "gelu_tanh"},
      {Prologue::GateUp, "silu", false, false, ""},
      {Prologue::GateUp, "gelu_tanh", false, true, ""},
      {Prologue::GateUp, "gelu", true, true, ""},
      {Prologue::Norm, "", false, false, ""},
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
      ADD_FAILURE() << what << " row " << i / c.N << " col " << i % c.N << ": got " << data.y[i]
                    << ", want " << data.expect[i] << " (tolerance " << data.tolerance[i] << ")";
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
        expect_matches(data, c, T,
                       case_name(c) + " T=" + std::to_string(T) + " threads=" + std::to_string(threads));
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(LinearKernel, LinearKernelSlice, ::testing::Range(0, kSlices));

// A row's outputs have the same bits at every row count and thread count, whichever
// path (decode's byte madds, the int8 GEMM by columns or by rows) the count takes:
// batched decoding relies on it (a sequence's logits equal its logits alone).
TEST(LinearKernel, BlockWeightRowsHaveTheSameBitsAtEveryRowCount) {
  const LinearCase cases[] = {{ir::DType::q8_0, 640, 129, Prologue::Norm, "", true, true, "silu"},
                              {ir::DType::q8_0, 96, 37, Prologue::None, "", false, false, ""},
                              {ir::DType::q4_1, 288, 20, Prologue::GateUp, "gelu_tanh", false, true, ""},
                              {ir::DType::q5_0, 64, 9, Prologue::None, "", true, false, ""},
                              {ir::DType::q8_0x16, 640, 144, Prologue::Norm, "", true, true, "silu"},
                              {ir::DType::q4_k, 512, 20, Prologue::GateUp, "silu", false, true, ""},
                              {ir::DType::q6_k, 256, 9, Prologue::Norm, "", true, false, ""},
                              {ir::DType::q3_k, 512, 20, Prologue::GateUp, "silu", false, true, ""},
                              {ir::DType::q2_k, 256, 37, Prologue::None, "", true, true, ""},
                              {ir::DType::iq4_nl, 96, 37, Prologue::None, "", true, false, ""},
                              {ir::DType::iq4_xs, 256, 9, Prologue::Norm, "", true, false, ""}};
  constexpr int64_t kRows = 20;
  for (const LinearCase& c : cases) {
    codegen::KernelCompiler compiler;
    std::string name = compiler.add(linear_desc(c));
    codegen::KernelInfo info = compiler.kernels().front().info;
    auto lib = codegen::KernelLibrary::compile(compiler);
    LinearData data(c, kRows, 31);
    int64_t all[ir::kNumSyms] = {kRows, 1};
    run_split(lib->lookup(name), data.args(c), all, info.items(all), 2);
    const std::vector<float> want = data.y;
    for (int64_t T : {1, 2, 3, 4, 5, 7, 8, 9, 13}) {
      for (int threads : {1, 2}) {
        std::fill(data.y.begin(), data.y.end(), NAN);
        int64_t syms[ir::kNumSyms] = {T, 1};
        run_split(lib->lookup(name), data.args(c), syms, info.items(syms), threads);
        EXPECT_EQ(0, std::memcmp(data.y.data(), want.data(), sizeof(float) * T * c.N))
            << case_name(c) << " T=" << T << " threads=" << threads;
      }
    }
  }
}

// With VNNI (`--target=native` on a CPU that has it) the byte dot products take vpdpbusd
// instead of pmaddubsw + pmaddwd (q6_k's only in 512-bit prefill tiles: elsewhere its scales
// weight the i16 sums as they widen); both sum exactly, so every block type, row-major and in
// panels, gives the baseline's bits on the decode and the prefill path.
// One test per weight type, so that ctest runs them side by side.
class VnniBits : public ::testing::TestWithParam<ir::DType> {};

TEST_P(VnniBits, VnniGivesTheBaselineBits) {
  codegen::TargetSpec native = codegen::resolve_target({true, "", ""});
  bool vnni = native.features.find("+avx512vnni") != std::string::npos &&
              native.features.find("+avx512vl") != std::string::npos;
  if (!vnni && native.features.find("+avxvnni") == std::string::npos) GTEST_SKIP() << "this CPU has no VNNI";
  const bool vnni512 = vnni && native.features.find("+avx512bw") != std::string::npos &&
                       native.features.find("+evex512") != std::string::npos;
  const ir::DType w = GetParam();
  if (kSanitizedBuild && w != ir::DType::q8_0 && w != ir::DType::q4_kx16)
    GTEST_SKIP() << "the sanitizer build runs q8_0 and q4_kx16";
  LinearCase c{w, ir::dtype_block_elems(w) == 256 ? 512 : 640, 48, Prologue::GateUp, "gelu_tanh", true, true, ""};
  std::map<std::string, std::vector<float>> outputs;
  for (const codegen::TargetSpec& target : {codegen::baseline_target(), native}) {
    codegen::KernelCompiler compiler(target);
    std::string name = compiler.add(linear_desc(c));
    codegen::KernelInfo info = compiler.kernels().front().info;
    std::string dir = ::testing::TempDir() + "vnni_asm_" + std::string(ir::dtype_name(w)) + "_" + target.cpu;
    auto lib = codegen::KernelLibrary::load(compiler.compile({"", dir}), "test");
    std::string listing = read_text(dir + "/" + name + ".s");
    EXPECT_EQ(listing.find("vpdpbusd") != std::string::npos, target == native && (w != ir::DType::q6_k || vnni512));
    for (int64_t T : {1, 5, 64}) {
      LinearData data(c, T, 21);
      int64_t syms[ir::kNumSyms] = {T, 1};
      run_split(lib->lookup(name), data.args(c), syms, info.items(syms), 2);
      auto& y = outputs[std::to_string(T)];
      if (y.empty()) y = data.y;
      else EXPECT_EQ(0, std::memcmp(y.data(), data.y.data(), sizeof(float) * T * c.N)) << "T=" << T;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    LinearKernel, VnniBits,
    ::testing::Values(ir::DType::q8_0, ir::DType::q4_0, ir::DType::q4_1, ir::DType::q5_0, ir::DType::q5_1,
                      ir::DType::q8_0x16, ir::DType::q4_0x16, ir::DType::q4_1x16, ir::DType::q5_0x16,
                      ir::DType::q5_1x16,
                      ir::DType::q4_k, ir::DType::q5_k, ir::DType::q6_k, ir::DType::q4_kx16, ir::DType::q5_kx16,
                      ir::DType::q3_k, ir::DType::q2_k, ir::DType::iq4_nl, ir::DType::iq4_xs, ir::DType::mxfp4),
    [](const ::testing::TestParamInfo<ir::DType>& info) { return std::string(ir::dtype_name(info.param)); });

// Kernels for `a` and for `b` on the same inputs and weights (`b`'s bytes made from `a`'s by
// `convert`) give the same bits at every row count and thread count.
void expect_same_bits(const LinearCase& a, const LinearCase& b, const std::vector<int64_t>& row_counts,
                      const std::function<std::vector<uint8_t>(const std::vector<uint8_t>&)>& convert) {
  codegen::KernelCompiler compiler;
  std::string ka = compiler.add(linear_desc(a)), kb = compiler.add(linear_desc(b));
  std::map<std::string, codegen::KernelInfo> infos;
  for (const auto& k : compiler.kernels()) infos[k.name] = k.info;
  auto lib = codegen::KernelLibrary::compile(compiler);
  for (int64_t T : row_counts) {
    for (int threads : {1, 2}) {
      LinearData x(a, T, 11), y(a, T, 11);
      y.wq = convert(x.wq);
      int64_t syms[ir::kNumSyms] = {T, 1};
      run_split(lib->lookup(ka), x.args(a), syms, infos.at(ka).items(syms), threads);
      run_split(lib->lookup(kb), y.args(b), syms, infos.at(kb).items(syms), threads);
      EXPECT_EQ(0, std::memcmp(x.y.data(), y.y.data(), sizeof(float) * T * a.N))
          << ir::dtype_name(a.wtype) << " vs " << ir::dtype_name(b.wtype) << " K=" << a.K << " T=" << T
          << " threads=" << threads;
    }
  }
}

// An x16 type is its row-major type in another layout, read by another kernel that sums
// in the same order: the same weights give the same bits, at every row count and thread
// count.
TEST(LinearKernel, PanelWeightsGiveTheRowMajorBits) {
  for (auto types : {std::pair{ir::DType::q8_0, ir::DType::q8_0x16},
                                      std::pair{ir::DType::q4_0, ir::DType::q4_0x16},
                                      std::pair{ir::DType::q4_1, ir::DType::q4_1x16},
                                      std::pair{ir::DType::q5_0, ir::DType::q5_0x16},
                                      std::pair{ir::DType::q5_1, ir::DType::q5_1x16},
                                      std::pair{ir::DType::q4_k, ir::DType::q4_kx16},
                                      std::pair{ir::DType::q5_k, ir::DType::q5_kx16}}) {
    ir::DType row_type = types.first, panel_type = types.second;
    for (int64_t K : ir::dtype_block_elems(row_type) == 256 ? std::vector<int64_t>{256, 768}
                                                            : std::vector<int64_t>{64, 640}) {
      LinearCase row_major{row_type, K, 48, Prologue::GateUp, "gelu_tanh", true, true, ""};
      LinearCase panels = row_major;
      panels.wtype = panel_type;
      expect_same_bits(row_major, panels, {1, 3, 8, 9, 13, 100},
                       [&](const std::vector<uint8_t>& w) { return to_panels(w, panel_type, 48, K); });
    }
  }
}

// The integer paths meet the weights' exact values (a K type's super-blocks as ggml
// dequantizes them) with input rows rounded as ggml rounds activations for that weight
// type (q8_0 per 32 with an f16 scale; q8_K per 256 for the K types): against
// round_input_rows, only the f32 sums' rounding is left, at every row count (decode and
// prefill) and thread count.
// What an output may differ by from the exact sum over rounded inputs: f32 sums
// (2e-6 of the terms' magnitudes) and, for q4_1 and q5_1, each block's input sum rounded
// to f16 as q8_1 stores it (2^-11 of it, times the offset, at most the block's max |w|).
std::vector<double> rounded_input_tolerances(const std::vector<double>& x, const void* w, ir::DType wtype, int64_t T,
                                             int64_t K, int64_t N) {
  const ir::DType base = ir::panel_base(wtype);
  const bool q8_1 = base == ir::DType::q4_1 || base == ir::DType::q5_1;
  std::vector<double> tol(static_cast<size_t>(T * N), 1e-7);
  for (int64_t n = 0; n < N; ++n) {
    std::vector<float> wn = weight_row(w, wtype, K, n);
    for (int64_t t = 0; t < T; ++t)
      for (int64_t b = 0; b < K; b += 32) {
        double mag = 0, sum = 0, wmax = 0;
        for (int64_t k = b; k < b + 32; ++k) {
          mag += std::fabs(x[t * K + k] * wn[k]);
          sum += x[t * K + k];
          wmax = std::max(wmax, std::fabs(static_cast<double>(wn[k])));
        }
        tol[t * N + n] += 2e-6 * mag + (q8_1 ? std::fabs(sum) * wmax / 2048.0 : 0.0);
      }
  }
  return tol;
}

TEST(LinearKernel, InputRowsAreRoundedAsGgmlRoundsActivations) {
  for (ir::DType w : {ir::DType::q8_0, ir::DType::q4_0, ir::DType::q4_1, ir::DType::q5_1, ir::DType::q4_1x16,
                      ir::DType::q4_k, ir::DType::q5_k, ir::DType::q6_k, ir::DType::q4_kx16, ir::DType::q5_kx16,
                      ir::DType::q3_k, ir::DType::q2_k, ir::DType::iq4_nl, ir::DType::iq4_xs, ir::DType::mxfp4}) {
    LinearCase c{w, 768, 32, Prologue::None, "", false, false, ""};
    codegen::KernelCompiler compiler;
    std::string name = compiler.add(linear_desc(c));
    const codegen::KernelInfo info = compiler.kernels().front().info;
    auto lib = codegen::KernelLibrary::compile(compiler);
    for (int64_t T : {1, 3, 9, 100}) {
      LinearData data(c, T, 21);
      std::vector<double> x = round_input_rows(data.x.data(), T, c.K, w);
      std::vector<double> want = reference_linear(x, data.weights(), w, T, c.K, c.N);
      std::vector<double> tol = rounded_input_tolerances(x, data.weights(), w, T, c.K, c.N);
      for (int threads : {1, 2}) {
        int64_t syms[ir::kNumSyms] = {T, 1};
        run_split(lib->lookup(name), data.args(c), syms, info.items(syms), threads);
        for (int64_t i = 0; i < T * c.N; ++i)
          ASSERT_NEAR(data.y[i], want[i], tol[i])
              << ir::dtype_name(w) << " T=" << T << " threads=" << threads << " at " << i;
      }
    }
  }
}

// The compiler's q4_kx16 / q5_kx16 packing moves bits only: each row read back from the
// panels (the reference's own reader) is the file's row of super-blocks.
TEST(LinearKernel, SuperBlockPanelsHoldTheFilesBytes) {
  for (ir::DType panels : {ir::DType::q4_kx16, ir::DType::q5_kx16}) {
    const ir::DType base = ir::panel_base(panels);
    const int64_t N = 32, K = 512, row_bytes = ir::dtype_row_bytes(base, K);
    std::vector<uint8_t> rows = random_ggml_blocks(N, K, base, 3);
    std::vector<uint8_t> packed = to_panels(rows, panels, N, K);
    ASSERT_EQ(packed.size(), rows.size());
    for (int64_t n = 0; n < N; ++n)
      EXPECT_EQ(panel_row(packed.data(), panels, K, n),
                std::vector<uint8_t>(rows.begin() + n * row_bytes, rows.begin() + (n + 1) * row_bytes))
          << ir::dtype_name(panels) << " row " << n;
  }
}

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
               add_error(fusion_desc(args +
                                     "  %y = linear %x, %w : f32[T,8]\n"
                                     "  %n = rms_norm %y, %g {eps = 1e-5} : f32[T,8]\n"
                                     "  return %n\n}\n")),
               "op 'rms_norm' defining %n (line 3) cannot be applied to the anchor's output element by element");
  EXPECT_PRED2(contains,
               add_error(fusion_desc(args +
                                     "  %h = rms_norm %x, %gk {eps = 1e-5} : f32[T,64]\n"
                                     "  %y = linear %h, %w : f32[T,8]\n"
                                     "  return %y\n}\n")),
               "op 'rms_norm' defining %h (line 2) normalizes groups, not the whole row the anchor reads");
  EXPECT_PRED2(contains,
               add_error(fusion_desc(args +
                                     "  %w2 = scale %w {factor = 2.0} : f32[8,64]\n"
                                     "  %y = linear %x, %w2 : f32[T,8]\n"
                                     "  return %y\n}\n")),
               "op 'linear' defining %y (line 3): operand 1 must be a region argument");
  EXPECT_PRED2(contains,
               add_error(fusion_desc(args +
                                     "  %y = linear %x, %w : f32[T,8]\n"
                                     "  %s = silu %x : f32[T,64]\n"
                                     "  return %y, %s\n}\n")),
               "yield %s does not depend on the anchor op 'linear' defining %y (line 2)");
}

}  // namespace
}  // namespace lmc::test
