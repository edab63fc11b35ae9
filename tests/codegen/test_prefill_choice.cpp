// Which prefill kernel a linear takes (codegen/prefill_choice.h): the candidates a target's
// features offer each weight type, the default without an attribute, an attribute naming
// tiles the target lacks refused by name; and, in the listing LLVM writes for a Sapphire
// Rapids target (on any host, nothing runs), the attribute choosing the code: int8 tile
// products (tdpbsud) by default and for int8_tiles, bf16 tile products (tdpbf16ps) for
// bf16_tiles, neither for vnni. An attention's bf16 tiles only when asked.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "codegen/kernel_compiler.h"
#include "codegen/prefill_choice.h"
#include "support/error.h"
#include "tests/codegen/kernel_test_util.h"
#include "tests/codegen/linear_case.h"

namespace lmc::test {
namespace {

using ir::DType;
using ir::PrefillKernel;
using Kernels = std::vector<PrefillKernel>;

codegen::HasFeature features(std::set<std::string> names) {
  return [names = std::move(names)](std::string_view f) { return names.count(std::string(f)) != 0; };
}

const std::set<std::string> kVnni512 = {"avx512vnni", "avx512bw", "evex512"};

std::set<std::string> with(std::set<std::string> a, const std::set<std::string>& b) {
  a.insert(b.begin(), b.end());
  return a;
}

TEST(PrefillChoice, TheTargetsFeaturesOfferTheCandidates) {
  const auto all = features(with(kVnni512, {"amx-tile", "amx-int8", "amx-bf16"}));
  EXPECT_EQ(codegen::linear_prefill_kernels({DType::q4_kx16}, all),
            (Kernels{PrefillKernel::Vnni, PrefillKernel::Int8Tiles, PrefillKernel::Bf16Tiles}));
  // Row-major q6_k and f32 weights have no int8 tile path; the bf16 tiles take both (the
  // tuner never chooses them over f32: RoundingF32WeightsIsTheUsersCall).
  EXPECT_EQ(codegen::linear_prefill_kernels({DType::q6_k}, all),
            (Kernels{PrefillKernel::Vnni, PrefillKernel::Bf16Tiles}));
  EXPECT_EQ(codegen::linear_prefill_kernels({DType::f32}, all),
            (Kernels{PrefillKernel::Vnni, PrefillKernel::Bf16Tiles}));
  // A fused linear's parts: int8 tiles for its panels, bf16 tiles when every part has blocks or is f32.
  EXPECT_EQ(codegen::linear_prefill_kernels({DType::q4_kx16, DType::q6_k}, all),
            (Kernels{PrefillKernel::Vnni, PrefillKernel::Int8Tiles, PrefillKernel::Bf16Tiles}));
  EXPECT_EQ(codegen::linear_prefill_kernels({DType::q8_0x16, DType::f32}, all),
            (Kernels{PrefillKernel::Vnni, PrefillKernel::Int8Tiles, PrefillKernel::Bf16Tiles}));
  EXPECT_EQ(codegen::linear_prefill_kernels({DType::q8_0x16, DType::f16}, all),
            (Kernels{PrefillKernel::Vnni, PrefillKernel::Int8Tiles}));
  // This host's kind (AVX-512, no AMX): one candidate, so nothing to time.
  EXPECT_EQ(codegen::linear_prefill_kernels({DType::q4_kx16}, features(kVnni512)), Kernels{PrefillKernel::Vnni});
  // The int8 tiles' sums end in 512-bit VNNI lanes: without them, no int8 tiles.
  EXPECT_EQ(codegen::linear_prefill_kernels({DType::q8_0x16}, features({"amx-tile", "amx-int8", "amx-bf16"})),
            (Kernels{PrefillKernel::Vnni, PrefillKernel::Bf16Tiles}));
  EXPECT_EQ(codegen::attention_prefill_kernels(all), (Kernels{PrefillKernel::Vnni, PrefillKernel::Bf16Tiles}));
  EXPECT_EQ(codegen::attention_prefill_kernels(features(kVnni512)), Kernels{PrefillKernel::Vnni});
}

TEST(PrefillChoice, WithoutAnAttributeTheInt8TilesWhereTheTargetHasThem) {
  const auto all = features(with(kVnni512, {"amx-tile", "amx-int8", "amx-bf16"}));
  EXPECT_EQ(codegen::linear_prefill_kernel(std::nullopt, {DType::q8_0x16}, all), PrefillKernel::Int8Tiles);
  EXPECT_EQ(codegen::linear_prefill_kernel(std::nullopt, {DType::q6_k}, all), PrefillKernel::Vnni);
  EXPECT_EQ(codegen::linear_prefill_kernel(std::nullopt, {DType::q8_0x16}, features(kVnni512)), PrefillKernel::Vnni);
  EXPECT_EQ(codegen::linear_prefill_kernel(PrefillKernel::Vnni, {DType::q8_0x16}, all), PrefillKernel::Vnni);
  EXPECT_EQ(codegen::linear_prefill_kernel(PrefillKernel::Bf16Tiles, {DType::q6_k}, all), PrefillKernel::Bf16Tiles);
  // Asked for, the bf16 tiles take f32 weights too; never by default.
  EXPECT_EQ(codegen::linear_prefill_kernel(PrefillKernel::Bf16Tiles, {DType::f32}, all), PrefillKernel::Bf16Tiles);
  EXPECT_EQ(codegen::linear_prefill_kernel(std::nullopt, {DType::f32}, all), PrefillKernel::Vnni);
  // Forced on every linear alike, int8 tiles over weights without panels keep the vector kernels.
  EXPECT_EQ(codegen::linear_prefill_kernel(PrefillKernel::Int8Tiles, {DType::f32}, all), PrefillKernel::Vnni);
  EXPECT_FALSE(codegen::attention_bf16_tiles(std::nullopt, all));
  EXPECT_TRUE(codegen::attention_bf16_tiles(PrefillKernel::Bf16Tiles, all));
}

// Rounding f32 weights to bf16 is the user's call (ir::rounds_full_precision): the tuner
// times only the kernels that keep them; a block type's bf16 decode is its own to choose.
TEST(PrefillChoice, RoundingF32WeightsIsTheUsersCall) {
  const ir::Type f32{DType::f32, {ir::Dim::of(64), ir::Dim::of(64)}};
  const ir::Type q8{DType::q8_0x16, {ir::Dim::of(64), ir::Dim::of(64)}};
  EXPECT_TRUE(ir::rounds_full_precision(PrefillKernel::Bf16Tiles, {f32}));
  EXPECT_TRUE(ir::rounds_full_precision(PrefillKernel::Bf16Tiles, {q8, f32}));
  EXPECT_FALSE(ir::rounds_full_precision(PrefillKernel::Bf16Tiles, {q8}));
  EXPECT_FALSE(ir::rounds_full_precision(PrefillKernel::Vnni, {f32}));
  EXPECT_FALSE(ir::rounds_full_precision(PrefillKernel::Int8Tiles, {f32}));
}

std::string refusal(std::optional<PrefillKernel> k, const codegen::HasFeature& has) {
  try {
    codegen::linear_prefill_kernel(k, {DType::q8_0x16}, has);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(PrefillChoice, TilesTheTargetLacksAreAnErrorNamingThem) {
  EXPECT_PRED2(contains, refusal(PrefillKernel::Bf16Tiles, features(kVnni512)),
               "prefill = \"bf16_tiles\" needs amx-tile, amx-bf16, which the target lacks");
  EXPECT_PRED2(contains, refusal(PrefillKernel::Int8Tiles, features(with(kVnni512, {"amx-tile", "amx-bf16"}))),
               "prefill = \"int8_tiles\" needs amx-int8");
  EXPECT_EQ(refusal(PrefillKernel::Vnni, features({})), "");
}

// The features a kernel's function carries are the spec's list, which a CPU name alone
// leaves empty: these are the ones the tiles need.
constexpr const char* kSprFeatures = "+avx512vnni,+avx512bw,+evex512,+amx-tile,+amx-int8,+amx-bf16";

// The kernel's listing for a Sapphire Rapids target with the attribute set to `k` (none: nullopt).
std::string listing(const LinearCase& c, std::optional<PrefillKernel> k, const std::filesystem::path& dir) {
  const codegen::TargetSpec spr = codegen::resolve_target({false, "sapphirerapids", kSprFeatures});
  codegen::KernelCompiler compiler(spr);
  const std::string name = compiler.add(k ? asking_prefill(linear_desc(c), *k) : linear_desc(c));
  codegen::CompileOptions opts;
  opts.dump_asm_dir = dir.string();
  compiler.compile(opts);
  return read_text((dir / (name + ".s")).string());
}

TEST(PrefillChoice, TheAttributeChoosesTheCode) {
  const LinearCase c{DType::q4_kx16, 256, 32, Prologue::None, "", false, false, ""};
  const std::filesystem::path dir = std::filesystem::path(testing::TempDir()) / "prefill_choice_asm";
  std::filesystem::remove_all(dir);
  struct Expect {
    std::optional<PrefillKernel> kernel;
    bool int8, bf16;
  };
  for (const Expect& e :
       {Expect{std::nullopt, true, false}, Expect{PrefillKernel::Vnni, false, false},
        Expect{PrefillKernel::Int8Tiles, true, false}, Expect{PrefillKernel::Bf16Tiles, false, true}}) {
    const std::string what = e.kernel ? ir::prefill_kernel_name(*e.kernel) : "no attribute";
    const std::string s = listing(c, e.kernel, dir / what);
    ASSERT_FALSE(s.empty()) << what;
    EXPECT_EQ(e.int8, contains(s, "tdpbsud")) << what;
    EXPECT_EQ(e.bf16, contains(s, "tdpbf16ps")) << what;
  }
}

TEST(PrefillChoice, AKernelAskedForTilesItsTargetLacksIsNotCompiled) {
  const LinearCase c{DType::q8_0x16, 64, 16, Prologue::None, "", false, false, ""};
  codegen::KernelCompiler compiler(codegen::baseline_target());
  std::string error;
  try {
    compiler.add(asking_prefill(linear_desc(c), PrefillKernel::Int8Tiles));
    compiler.compile();
  } catch (const Error& e) {
    error = e.what();
  }
  EXPECT_PRED2(contains, error, "prefill = \"int8_tiles\" needs amx-tile, amx-int8");
}

}  // namespace
}  // namespace lmc::test
