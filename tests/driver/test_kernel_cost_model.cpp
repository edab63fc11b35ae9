// The cost model tune-prefill asks (driver/kernel_cost_model.h): the kernels a target offers
// a linear and an attention are codegen's answer for that target (vnni alone on the AVX2
// baseline), code this host cannot run included, which it offers but cannot time (the
// kernels are forced, not tuned); a prefill kernel is timed for real on
// random valid weights, a column slice of it scaled to the whole weight, each slice timed
// once.
#include <gtest/gtest.h>

#include <cmath>

#include "codegen/prefill_choice.h"
#include "driver/kernel_cost_model.h"
#include "ir/parser.h"

namespace lmc::driver {
namespace {

using ir::PrefillKernel;
using Kernels = std::vector<PrefillKernel>;

constexpr const char* kGraph = R"(graph @g(%x: f32[T,256], %k: f32[64,32], %v: f32[64,32], %pos: i32[T], %seq: i32[T]) {
  %w = param {name = "w.weight"} : f32[512,256]
  %wq = quantize %w {dtype = q4_kx16} : q4_kx16[512,256]
  %y = linear %x, %wq : f32[T,512]
  %q = param {name = "q.weight"} : f32[64,256]
  %qq = quantize %q {dtype = q8_0x16} : q8_0x16[64,256]
  %qs = linear %x, %qq : f32[T,64]
  %o = attention %qs, %k, %v, %pos, %seq {head_dim = 32, n_heads = 2, n_kv_heads = 1, scale = 0.17677669} : f32[T,64]
  return %y, %o
}
)";

const ir::Op& op_defining(const ir::Graph& g, const std::string& value) {
  for (const auto& op : g.ops())
    if (op->num_results() && op->result()->name() == value) return *op;
  throw std::runtime_error("no %" + value);
}

TEST(KernelCostModel, OffersTheKernelsOfItsTarget) {
  auto g = ir::parse(kGraph, "test");
  const codegen::TargetSpec host = codegen::resolve_target({true, "", ""});
  KernelCostModel native(host);
  EXPECT_EQ(native.prefill_kernels(op_defining(*g, "y")),
            codegen::linear_prefill_kernels({ir::DType::q4_kx16}, codegen::spec_features(host)));
  KernelCostModel baseline;
  EXPECT_EQ(baseline.prefill_kernels(op_defining(*g, "y")), Kernels{PrefillKernel::Vnni});
  EXPECT_EQ(baseline.prefill_kernels(op_defining(*g, "o")), Kernels{PrefillKernel::Vnni});
}

// Code for another machine cannot be timed here: a Sapphire Rapids target, on a host whose
// process holds no tiles, offers each op its kernels (so a forcing flag sets them) and says
// it times none.
TEST(KernelCostModel, ATargetThisHostCannotRunIsOfferedButNotTimed) {
  const codegen::TargetSpec spr = codegen::resolve_target(
      {false, "sapphirerapids", "+avx512vnni,+avx512bw,+evex512,+amx-tile,+amx-int8,+amx-bf16"});
  if (codegen::missing_host_features(spr).empty()) GTEST_SKIP() << "this host runs Sapphire Rapids code";
  auto g = ir::parse(kGraph, "test");
  KernelCostModel cm(spr);
  EXPECT_EQ(cm.prefill_kernels(op_defining(*g, "y")),
            (Kernels{PrefillKernel::Vnni, PrefillKernel::Int8Tiles, PrefillKernel::Bf16Tiles}));
  EXPECT_EQ(cm.prefill_kernels(op_defining(*g, "o")), (Kernels{PrefillKernel::Vnni, PrefillKernel::Bf16Tiles}));
  EXPECT_FALSE(cm.times_prefill());
  EXPECT_TRUE(KernelCostModel().times_prefill());
}

TEST(KernelCostModel, TimesAPrefillSliceAndScalesIt) {
  KernelCostModel cm;
  const ir::Type half{ir::DType::q4_kx16, {ir::Dim::of(512), ir::Dim::of(256)}};
  const ir::Type whole{ir::DType::q4_kx16, {ir::Dim::of(1024), ir::Dim::of(256)}};
  const double t = cm.prefill_seconds({PrefillKernel::Vnni, {half}, 64, false});
  EXPECT_TRUE(std::isfinite(t) && t > 0) << t;
  // Both weights' first 256 columns are one kernel, timed once: the whole weight costs twice.
  EXPECT_DOUBLE_EQ(cm.prefill_seconds({PrefillKernel::Vnni, {whole}, 64, false}), 2 * t);
  // A fused linear's parts are sliced each.
  const double parts = cm.prefill_seconds({PrefillKernel::Vnni, {half, half}, 64, false});
  EXPECT_TRUE(std::isfinite(parts) && parts > 0) << parts;
}

TEST(KernelCostModel, TimesAnEpilogueFusedAndApartAndScalesThem) {
  KernelCostModel cm;
  const ir::Type half{ir::DType::q8_0x16, {ir::Dim::of(256), ir::Dim::of(256)}};
  const ir::Type whole{ir::DType::q8_0x16, {ir::Dim::of(512), ir::Dim::of(256)}};
  const passes::EpilogueSeconds t = cm.epilogue_seconds({half, "sigmoid", 16});
  EXPECT_TRUE(std::isfinite(t.fused) && t.fused > 0) << t.fused;
  EXPECT_TRUE(std::isfinite(t.split) && t.split > 0) << t.split;
  // The first 256 columns are timed once, for both weights: the whole costs twice.
  const passes::EpilogueSeconds w = cm.epilogue_seconds({whole, "sigmoid", 16});
  EXPECT_DOUBLE_EQ(w.fused, 2 * t.fused);
  EXPECT_DOUBLE_EQ(w.split, 2 * t.split);
}

}  // namespace
}  // namespace lmc::driver
