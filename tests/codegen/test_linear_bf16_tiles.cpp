// The bf16 tile GEMM of prefill's linears (codegen/llvm/linear/bf16_tiles.h) against the
// plain reference: every block type a Q4_K_M, Q5_K_M or Q8_0 file holds (the x16 panels,
// q6_k and the other row-major kept types) and f32 weights of any K, with regions around the linear, ragged rows
// and columns, several column blocks, row blocks and k blocks, at one and two threads
// (which split the columns), within the rounding of both operands to bf16. On a host whose process holds no tile state
// the kernels run through LLVM's scalarization of the same intrinsics (codegen/llvm/scalar_tiles.h);
// LMC_TEST_TILE_UNIT=1 on a host that grants the tiles runs them on the unit as well.
// And the code an AMX target gets keeps its accumulators in the tiles across the K loop:
// the static mark of a kernel that can feed the unit, checked in the assembly on any host.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "codegen/kernel_compiler.h"
#include "codegen/target.h"
#include "support/tile_state.h"
#include "tests/codegen/kernel_test_util.h"
#include "tests/codegen/linear_case.h"
#include "tests/codegen/reference_kernels.h"

namespace lmc::test {
namespace {

// Each output's allowance: the reference's own f32 terms (without the int8 input rounding
// of the integer paths, which these tiles do not take) plus both operands of every product
// rounded to bf16 — at most 2^-9 relative each, so 2^-8 of Σ|x·w| — carried through the
// epilogue as linear_case.cpp carries its allowance.
std::vector<double> bf16_tolerance(const LinearCase& c, const LinearData& d, int64_t T) {
  std::vector<double> in = d.input_rows(c, T), tol(T * c.N);
  for (int64_t n = 0; n < c.N; ++n) {
    std::vector<float> w = weight_row(d.weights(), c.wtype, c.K, n);
    for (int64_t t = 0; t < T; ++t) {
      double mag = 0;
      for (int64_t k = 0; k < c.K; ++k) mag += std::fabs(in[t * c.K + k] * w[k]);
      double e = (1.01 * std::ldexp(1.0, -8) + 4e-6) * mag + 1e-6;
      double y = std::fabs(d.expect[t * c.N + n]);
      e += 1.2e-7 * y;
      if (!c.out_act.empty()) e = 1.2 * e + 1e-6 * y + 1e-7;
      tol[t * c.N + n] = e;
    }
  }
  return tol;
}

void match_the_reference() {
  const LinearCase cases[] = {{ir::DType::q4_kx16, 512, 48, Prologue::GateUp, "silu", true, true, ""},
                              {ir::DType::q5_kx16, 256, 32, Prologue::Norm, "", false, false, "gelu_tanh"},
                              {ir::DType::q8_0x16, 640, 48, Prologue::Norm, "", true, true, "silu"},
                              {ir::DType::q6_k, 512, 40, Prologue::None, "", true, false, ""},
                              {ir::DType::q6_k, 4352, 32, Prologue::None, "", false, false, ""},
                              {ir::DType::q6_kx16, 512, 48, Prologue::None, "", true, false, ""},
                              {ir::DType::q4_0x16, 96, 32, Prologue::None, "", false, false, ""},
                              {ir::DType::q5_1x16, 128, 16, Prologue::Norm, "", false, false, ""},
                              {ir::DType::q4_k, 256, 24, Prologue::None, "", false, true, ""},
                              {ir::DType::q8_0, 96, 20, Prologue::None, "", false, false, ""},
                              // Two column blocks of 256, the second ragged, the call's
                              // columns cut between the threads inside the first.
                              {ir::DType::q4_0x16, 64, 304, Prologue::None, "", true, false, ""},
                              // f32 weights (a vision tower's): K whole 32s, K of 16s and a
                              // 32 short (200: its last step half zeros), and K of no 16s
                              // across two k blocks (588, the patch embedding of 14 px RGB).
                              {ir::DType::f32, 512, 48, Prologue::Norm, "", true, true, ""},
                              {ir::DType::f32, 200, 40, Prologue::None, "", false, true, "gelu_tanh"},
                              {ir::DType::f32, 588, 33, Prologue::Norm, "", true, false, ""}};
  const bool unit = tile_state().granted && std::getenv("LMC_TEST_TILE_UNIT");
  for (const LinearCase& c : cases) {
    std::vector<LoadedKernel> kernels;
    const codegen::KernelDesc d = asking_prefill(linear_desc(c), ir::PrefillKernel::Bf16Tiles);
    kernels.push_back(load_kernel(d, host_with_bf16_tiles(), true));
    if (unit) kernels.push_back(load_kernel(d, host_with_bf16_tiles(), false));
    // 64: the fewest rows the tiles take; 97: a ragged row pair, also split over two threads;
    // 300: two row blocks (where K is small enough for it to stay quick through scalar tiles).
    std::vector<int64_t> rows = {64, 97};
    if (c.K <= 512) rows.push_back(300);
    for (int64_t T : rows) {
      LinearData data(c, T, 23);
      const std::vector<double> tol = bf16_tolerance(c, data, T);
      for (int threads = 1; threads <= (T == 97 ? 2 : 1); ++threads)
        for (size_t i = 0; i < kernels.size(); ++i) {
          std::fill(data.y.begin(), data.y.end(), NAN);
          int64_t syms[ir::kNumSyms] = {T, 1};
          run_split(kernels[i].fn, data.args(c), syms, kernels[i].info.items(syms), threads);
          int bad = 0;
          for (int64_t j = 0; j < T * c.N && bad < 3; ++j)
            if (!(std::fabs(data.y[j] - data.expect[j]) <= tol[j])) {
              ++bad;
              ADD_FAILURE() << case_name(c) << " T=" << T << " threads=" << threads
                            << (i ? " (tile unit)" : " (scalar tiles)") << " row " << j / c.N << " col " << j % c.N
                            << ": " << data.y[j] << " vs " << data.expect[j] << " (allowed " << tol[j] << ")";
            }
        }
    }
  }
}

TEST(LinearBf16Tiles, MatchTheReferenceWithinBf16Rounding) { on_large_stacks(match_the_reference); }

// A call with more rows than its bf16 copy of them holds (16 MiB: 512 rows at K = 16384)
// takes them in row blocks, each through every column block.
void row_blocks_match_the_reference() {
  const LinearCase c{ir::DType::q8_0x16, 16384, 16, Prologue::Norm, "", false, false, ""};
  LoadedKernel k =
      load_kernel(asking_prefill(linear_desc(c), ir::PrefillKernel::Bf16Tiles), host_with_bf16_tiles(), true);
  const int64_t T = 544;
  LinearData data(c, T, 29);
  const std::vector<double> tol = bf16_tolerance(c, data, T);
  int64_t syms[ir::kNumSyms] = {T, 1};
  run_split(k.fn, data.args(c), syms, k.info.items(syms), 1);
  int bad = 0;
  for (int64_t j = 0; j < T * c.N && bad < 3; ++j)
    if (!(std::fabs(data.y[j] - data.expect[j]) <= tol[j])) {
      ++bad;
      ADD_FAILURE() << case_name(c) << " T=" << T << " row " << j / c.N << " col " << j % c.N << ": " << data.y[j]
                    << " vs " << data.expect[j] << " (allowed " << tol[j] << ")";
    }
}

TEST(LinearBf16Tiles, RowBlocksMatchTheReference) { on_large_stacks(row_blocks_match_the_reference); }

// From 64 rows on, the GEMM's work items are its columns, one even share per thread, so no
// two threads decode the same weights; below, the rows, as every prefill's.
TEST(LinearBf16Tiles, ThreadsSplitTheColumns) {
  const LinearCase c{ir::DType::q4_kx16, 256, 512, Prologue::None, "", false, false, ""};
  codegen::KernelCompiler compiler(host_with_bf16_tiles());
  compiler.add(asking_prefill(linear_desc(c), ir::PrefillKernel::Bf16Tiles));
  const codegen::KernelInfo info = compiler.kernels().front().info;
  int64_t many[ir::kNumSyms] = {512, 1}, few[ir::kNumSyms] = {63, 1};
  EXPECT_TRUE(info.splits_columns(many));
  EXPECT_EQ(info.items(many), 512 / 16);
  EXPECT_EQ(info.grain_for(many, 2), 16);
  EXPECT_FALSE(info.splits_columns(few));
  EXPECT_EQ(info.items(few), 63);
  codegen::KernelCompiler plain(host_with_bf16_tiles());
  plain.add(linear_desc(c));
  EXPECT_FALSE(plain.kernels().front().info.splits_columns(many)) << "no variant asked for, rows as before";
}

std::string read_all(const std::filesystem::path& p) {
  std::ifstream f(p);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// The innermost loop of a listing that holds `inst`: the lines from a label to the
// backward jump to it, the shortest such span.
std::vector<std::string> innermost_loop_with(const std::string& listing, const std::string& inst) {
  std::vector<std::string> lines;
  std::istringstream in(listing);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  const std::regex label(R"(^(\.LBB\w+):)"), jump(R"(^\s+j\w+\s+(\.LBB\w+))");
  std::map<std::string, size_t> at;
  std::vector<std::string> best;
  for (size_t i = 0; i < lines.size(); ++i) {
    std::smatch m;
    if (std::regex_search(lines[i], m, label)) at[m[1]] = i;
    if (!std::regex_search(lines[i], m, jump) || !at.count(m[1])) continue;
    std::vector<std::string> body(lines.begin() + static_cast<std::ptrdiff_t>(at[m[1]]),
                                  lines.begin() + static_cast<std::ptrdiff_t>(i) + 1);
    bool holds = std::any_of(body.begin(), body.end(), [&](const std::string& l) { return l.find(inst) != l.npos; });
    if (holds && (best.empty() || body.size() < best.size())) best = body;
  }
  return best;
}

int count(const std::vector<std::string>& lines, const std::string& inst) {
  return static_cast<int>(
      std::count_if(lines.begin(), lines.end(), [&](const std::string& l) { return l.find(inst) != l.npos; }));
}

// Nothing runs here: the listing LLVM writes for a Sapphire Rapids target, on any host. In
// the innermost loop that multiplies (the K loop, or, where LLVM unrolls a k block's steps,
// the loop over column pairs around them): no configuration, at least four tdpbf16ps for
// every four tile loads (two A, two B), and the four C tiles stored at most once per 16
// tdpbf16ps — accumulating across a k block of 16 steps or more.
TEST(LinearBf16Tiles, TheKLoopKeepsItsSumsInTheTiles) {
  const codegen::TargetSpec spr = codegen::resolve_target({false, "sapphirerapids", "+amx-tile,+amx-bf16"});
  for (ir::DType w : {ir::DType::q4_kx16, ir::DType::q6_k, ir::DType::q8_0x16, ir::DType::f32}) {
    const LinearCase c{w, 4096, 64, Prologue::Norm, "", false, true, ""};
    std::filesystem::path dir = std::filesystem::path(testing::TempDir()) / "bf16_tile_asm";
    std::filesystem::remove_all(dir);
    codegen::KernelCompiler compiler(spr);
    std::string name = compiler.add(asking_prefill(linear_desc(c), ir::PrefillKernel::Bf16Tiles));
    codegen::CompileOptions opts;
    opts.dump_asm_dir = dir.string();
    compiler.compile(opts);
    const std::string listing = read_all(dir / (name + ".s"));
    EXPECT_EQ(listing.find("tdpbsud"), std::string::npos) << "a kernel's tiles have one shape: no int8 tiles beside";
    std::vector<std::string> k_loop = innermost_loop_with(listing, "tdpbf16ps");
    ASSERT_FALSE(k_loop.empty()) << case_name(c) << ": no loop holds tdpbf16ps";
    const int tdp = count(k_loop, "tdpbf16ps"), loads = count(k_loop, "tileloadd");
    EXPECT_GE(tdp, 4) << case_name(c);
    EXPECT_GE(tdp, loads) << case_name(c) << ": " << loads << " tile loads for " << tdp << " tdpbf16ps";
    EXPECT_LE(16 * count(k_loop, "tilestored"), tdp)
        << case_name(c) << ": " << count(k_loop, "tilestored") << " tiles stored for " << tdp << " tdpbf16ps";
    EXPECT_EQ(count(k_loop, "ldtilecfg"), 0) << case_name(c);
  }
}

}  // namespace
}  // namespace lmc::test
