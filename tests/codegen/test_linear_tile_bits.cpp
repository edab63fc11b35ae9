// The AMX tile path of the x16 panels (codegen/llvm/linear/tile_panels.h) against the
// 512-bit VNNI tiles it stands beside: the same bits for every row, at row counts that
// leave ragged rows to the VNNI tiles, at every thread count, with regions around the
// linear. On a host whose process holds no tile state the tile kernels run through LLVM's
// scalarization of the same intrinsics (codegen/llvm/scalar_tiles.h); where the tiles are
// granted, on the tile unit as well. And the code a native AMX target gets holds the tile
// instructions, LLVM's tile configuration around them.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "codegen/kernel_compiler.h"
#include "codegen/kernel_library.h"
#include "codegen/target.h"
#include "support/tile_state.h"
#include "tests/codegen/kernel_test_util.h"
#include "tests/codegen/linear_case.h"

namespace lmc::test {
namespace {

// The int8 tiles only: with AMX-BF16 a long prompt takes the bf16 tile GEMM (bf16_tiles.h).
constexpr const char* kTiles = "+amx-tile,+amx-int8,-amx-bf16";
constexpr const char* kNoTiles = "-amx-tile,-amx-int8,-amx-bf16";

// This CPU's target (512-bit VNNI) with the tiles on or off, whatever the process holds.
codegen::TargetSpec host_with(const char* tiles) {
  codegen::TargetSpec t = codegen::resolve_target({true, "", ""});
  t.features += std::string(",") + tiles;
  return t;
}

bool has_vnni512() {
  for (const auto& f : codegen::isa_features(codegen::resolve_target({true, "", ""})))
    if (f == "avx512vnni") return true;
  return false;
}

struct Built {
  std::unique_ptr<codegen::KernelLibrary> lib;
  std::string name;
  codegen::KernelInfo info;
};

Built build(const LinearCase& c, const codegen::TargetSpec& target, bool scalar_tiles) {
  codegen::KernelCompiler compiler(target);
  Built out;
  out.name = compiler.add(linear_desc(c));
  out.info = compiler.kernels().front().info;
  codegen::CompileOptions opts;
  opts.scalar_tiles = scalar_tiles;
  out.lib = codegen::KernelLibrary::load(compiler.compile(opts), "<" + case_name(c) + ">");
  return out;
}

std::vector<float> run(const Built& k, const LinearCase& c, int64_t T, int threads) {
  LinearData data(c, T, 17);
  int64_t syms[ir::kNumSyms] = {T, 1};
  run_split(k.lib->lookup(k.name), data.args(c), syms, k.info.items(syms), threads);
  return data.y;
}

TEST(LinearTileKernel, TilesGiveTheVnniTilesBits) {
  if (!has_vnni512()) GTEST_SKIP() << "this CPU has no 512-bit VNNI, which the tile path ends its sums in";
  const LinearCase cases[] = {{ir::DType::q4_kx16, 512, 48, Prologue::GateUp, "silu", true, true, ""},
                              {ir::DType::q5_kx16, 256, 32, Prologue::Norm, "", false, false, "gelu_tanh"},
                              {ir::DType::q4_kx16, 768, 16, Prologue::None, "", false, false, ""},
                              {ir::DType::q6_kx16, 512, 48, Prologue::GateUp, "silu", true, true, ""},
                              {ir::DType::q6_kx16, 256, 16, Prologue::None, "", false, false, ""},
                              {ir::DType::q8_0x16, 640, 48, Prologue::Norm, "", true, true, "silu"},
                              {ir::DType::q4_0x16, 96, 32, Prologue::None, "", false, false, ""},
                              {ir::DType::q4_1x16, 288, 16, Prologue::GateUp, "gelu_tanh", false, true, ""},
                              {ir::DType::q5_0x16, 64, 32, Prologue::None, "", true, false, ""},
                              {ir::DType::q5_1x16, 128, 16, Prologue::Norm, "", false, false, ""}};
  const bool granted = tile_state().granted;
  for (const LinearCase& c : cases) {
    Built vnni = build(c, host_with(kNoTiles), false);
    std::vector<Built> tiles;
    tiles.push_back(build(c, host_with(kTiles), true));
    if (granted) tiles.push_back(build(c, host_with(kTiles), false));
    for (int64_t T : {16, 17, 31, 32, 45, 100}) {
      for (int threads : {1, 2}) {
        std::vector<float> want = run(vnni, c, T, threads);
        for (size_t i = 0; i < tiles.size(); ++i) {
          std::vector<float> got = run(tiles[i], c, T, threads);
          EXPECT_EQ(0, std::memcmp(got.data(), want.data(), sizeof(float) * T * c.N))
              << case_name(c) << " T=" << T << " threads=" << threads << (i ? " (tile unit)" : " (scalar tiles)");
        }
      }
    }
  }
}

std::string read_all(const std::filesystem::path& p) {
  std::ifstream f(p);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// Nothing runs here: the listing LLVM writes for an AMX target, on any host.
TEST(LinearTileKernel, AnAmxTargetsPrefillLinearHoldsTileInstructions) {
  if (!has_vnni512()) GTEST_SKIP() << "this CPU has no 512-bit VNNI";
  const LinearCase c{ir::DType::q4_kx16, 256, 16, Prologue::None, "", false, false, ""};
  std::filesystem::path dir = std::filesystem::path(testing::TempDir()) / "tile_asm";
  std::filesystem::remove_all(dir);
  for (const char* tiles : {kTiles, kNoTiles}) {
    codegen::KernelCompiler compiler(host_with(tiles));
    std::string name = compiler.add(linear_desc(c));
    codegen::CompileOptions opts;
    opts.dump_asm_dir = (dir / tiles).string();
    compiler.compile(opts);
    std::string s = read_all(dir / tiles / (name + ".s"));
    bool on = tiles == kTiles;
    for (const char* inst : {"tdpbsud", "ldtilecfg", "tileloadd", "tilestored", "tilerelease"})
      EXPECT_EQ(on, s.find(inst) != std::string::npos) << inst << " with " << tiles;
  }
}

}  // namespace
}  // namespace lmc::test
