// The bits the generated linear kernels give for block weights: the same at every row
// count and thread count, with VNNI or without, in panels as row-major, and from input
// rows rounded as ggml rounds activations; and the panels the compiler packs super-blocks
// into. The shapes and regions against the reference are test_linear_kernel.cpp's.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <map>

#include "codegen/kernel_compiler.h"
#include "codegen/kernel_library.h"
#include "codegen/target.h"
#include "tests/codegen/kernel_test_util.h"
#include "tests/codegen/linear_case.h"
#include "tests/codegen/reference_kernels.h"

namespace lmc::test {
namespace {

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
// weight the i16 sums as they widen; q6_kx16's always so, the widening a vpdpwssd); both sum exactly, so every block
// type, row-major and in panels, gives the baseline's bits on the decode and the prefill path. One test per weight
// type, so that ctest runs them side by side.
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
    const char* madd = w == ir::DType::q6_kx16 ? "vpdpwssd" : "vpdpbusd";
    EXPECT_EQ(listing.find(madd) != std::string::npos, target == native && (w != ir::DType::q6_k || vnni512));
    for (int64_t T : {1, 5, 64}) {
      LinearData data(c, T, 21);
      int64_t syms[ir::kNumSyms] = {T, 1};
      run_split(lib->lookup(name), data.args(c), syms, info.items(syms), 2);
      auto& y = outputs[std::to_string(T)];
      if (y.empty())
        y = data.y;
      else
        EXPECT_EQ(0, std::memcmp(y.data(), data.y.data(), sizeof(float) * T * c.N)) << "T=" << T;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(LinearKernel, VnniBits,
                         ::testing::Values(ir::DType::q8_0, ir::DType::q4_0, ir::DType::q4_1, ir::DType::q5_0,
                                           ir::DType::q5_1, ir::DType::q8_0x16, ir::DType::q4_0x16, ir::DType::q4_1x16,
                                           ir::DType::q5_0x16, ir::DType::q5_1x16, ir::DType::q4_k, ir::DType::q5_k,
                                           ir::DType::q6_k, ir::DType::q4_kx16, ir::DType::q5_kx16, ir::DType::q6_kx16,
                                           ir::DType::q3_k, ir::DType::q2_k, ir::DType::iq4_nl, ir::DType::iq4_xs,
                                           ir::DType::mxfp4),
                         [](const ::testing::TestParamInfo<ir::DType>& info) {
                           return std::string(ir::dtype_name(info.param));
                         });

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
  for (auto types : {std::pair{ir::DType::q8_0, ir::DType::q8_0x16}, std::pair{ir::DType::q4_0, ir::DType::q4_0x16},
                     std::pair{ir::DType::q4_1, ir::DType::q4_1x16}, std::pair{ir::DType::q5_0, ir::DType::q5_0x16},
                     std::pair{ir::DType::q5_1, ir::DType::q5_1x16}, std::pair{ir::DType::q4_k, ir::DType::q4_kx16},
                     std::pair{ir::DType::q5_k, ir::DType::q5_kx16}, std::pair{ir::DType::q6_k, ir::DType::q6_kx16}}) {
    ir::DType row_type = types.first, panel_type = types.second;
    for (int64_t K :
         ir::dtype_block_elems(row_type) == 256 ? std::vector<int64_t>{256, 768} : std::vector<int64_t>{64, 640}) {
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
  for (ir::DType w :
       {ir::DType::q8_0, ir::DType::q4_0, ir::DType::q4_1, ir::DType::q5_1, ir::DType::q4_1x16, ir::DType::q4_k,
        ir::DType::q5_k, ir::DType::q6_k, ir::DType::q4_kx16, ir::DType::q5_kx16, ir::DType::q6_kx16, ir::DType::q3_k,
        ir::DType::q2_k, ir::DType::iq4_nl, ir::DType::iq4_xs, ir::DType::mxfp4}) {
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

// The largest sums a q4_kx16 tile makes: every nibble 15 under the largest piece scale
// and min (all scale bytes 0xFF), every input byte +127 or -127. A half piece's exact sum
// (16 x 15 x 127) is where the 512-bit prefill tile multiplies by the scale in i16 lanes;
// an overflow there would part the tile's rows (T = 8, 13) from decode's (T = 1) and from
// the baseline's, and from K x (d·63·15 − dmin·63) · x.
TEST(LinearKernel, LargestQ4KSumsKeepTheirBits) {
  const int64_t N = 32, K = 512;
  const LinearCase c{ir::DType::q4_kx16, K, N, Prologue::None, "", false, false, ""};
  const float d = 0.0078125f, dmin = 0.001953125f;  // f16 0x2000 and 0x1800
  std::vector<uint8_t> rows(static_cast<size_t>(ir::dtype_row_bytes(ir::DType::q4_k, K) * N), 0xFF);
  for (size_t at = 0; at < rows.size(); at += static_cast<size_t>(ir::dtype_block_bytes(ir::DType::q4_k))) {
    rows[at] = 0x00, rows[at + 1] = 0x20;      // d
    rows[at + 2] = 0x00, rows[at + 3] = 0x18;  // dmin
  }
  const std::vector<uint8_t> panels = to_panels(rows, ir::DType::q4_kx16, N, K);
  for (float x : {1.0f, -1.0f}) {
    const double want = static_cast<double>(K) * (d * 63 * 15 - dmin * 63) * x;
    std::vector<float> first;
    for (const codegen::TargetSpec& target : {codegen::baseline_target(), codegen::resolve_target({true, "", ""})}) {
      codegen::KernelCompiler compiler(target);
      std::string name = compiler.add(linear_desc(c));
      codegen::KernelInfo info = compiler.kernels().front().info;
      auto lib = codegen::KernelLibrary::compile(compiler);
      for (int64_t T : {1, 8, 13}) {
        LinearData data(c, T, 5);
        std::fill(data.x.begin(), data.x.end(), x);
        data.wq = panels;
        int64_t syms[ir::kNumSyms] = {T, 1};
        run_split(lib->lookup(name), data.args(c), syms, info.items(syms), 1);
        if (first.empty()) first.assign(data.y.begin(), data.y.begin() + N);
        for (int64_t t = 0; t < T; ++t) {
          EXPECT_EQ(0, std::memcmp(data.y.data() + t * N, first.data(), sizeof(float) * N))
              << target.cpu << " x=" << x << " T=" << T << " row " << t;
          EXPECT_NEAR(data.y[static_cast<size_t>(t * N)], want, std::abs(want) * 1e-5) << target.cpu << " T=" << T;
        }
      }
    }
  }
}

// The compiler's q4_kx16 / q5_kx16 / q6_kx16 packing moves bits only: each row read back from the
// panels (the reference's own reader) is the file's row of super-blocks.
TEST(LinearKernel, SuperBlockPanelsHoldTheFilesBytes) {
  for (ir::DType panels : {ir::DType::q4_kx16, ir::DType::q5_kx16, ir::DType::q6_kx16}) {
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

}  // namespace
}  // namespace lmc::test
