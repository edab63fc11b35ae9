// tune-prefill against a fake cost model and a fake clock: the fastest kernel per shape is
// set on every linear of the shape, a tie goes to the first of the fixed order (vnni,
// int8_tiles, bf16_tiles), the budget stops the timing between shapes and leaves the rest
// at the default (the shapes with the most work timed first), the same times give the
// same graph, and f32 weights take the bf16 tiles only when forced.
#include <gtest/gtest.h>

#include <map>

#include "ir/parser.h"
#include "ir/printer.h"
#include "passes/pass_manager.h"

namespace lmc::passes {
namespace {

using ir::PrefillKernel;

// Two shapes: q8_0x16[128,64] (two linears) and q4_0x16[64,64].
constexpr const char* kGraph = R"(graph @g(%x: f32[T,64]) {
  %a = param {name = "a.weight"} : f32[128,64]
  %aq = quantize %a {dtype = q8_0x16} : q8_0x16[128,64]
  %b = param {name = "b.weight"} : f32[64,64]
  %bq = quantize %b {dtype = q4_0x16} : q4_0x16[64,64]
  %c = param {name = "c.weight"} : f32[128,64]
  %cq = quantize %c {dtype = q8_0x16} : q8_0x16[128,64]
  %y1 = linear %x, %aq : f32[T,128]
  %y2 = linear %x, %bq : f32[T,64]
  %y3 = linear %x, %cq : f32[T,128]
  return %y1, %y2, %y3
}
)";

// Times by (kernel, first weight type); each timing advances the clock by `cost` seconds.
class FakeCostModel : public CostModel {
 public:
  FakeCostModel(std::map<std::pair<PrefillKernel, std::string>, double> times, double cost)
      : times_(std::move(times)), cost_(cost) {}
  double linear_seconds(const ir::Type&) override { return 0; }
  std::vector<PrefillKernel> prefill_kernels(const ir::Op&) override {
    return {PrefillKernel::Vnni, PrefillKernel::Int8Tiles, PrefillKernel::Bf16Tiles};
  }
  double prefill_seconds(const PrefillCall& c) override {
    now += cost_;
    ++calls;
    rows = c.rows;
    return times_.at({c.kernel, c.weights.front().str()});
  }
  EpilogueSeconds epilogue_seconds(const EpilogueCall&) override { return {}; }
  double now = 0;
  int calls = 0;
  int64_t rows = 0;

 private:
  std::map<std::pair<PrefillKernel, std::string>, double> times_;
  double cost_;
};

struct Tuned {
  std::string ir;
  std::vector<Remark> remarks;
};

Tuned tune(FakeCostModel& cm, const OptionValues& flags = {}, const char* graph = kGraph) {
  auto g = ir::parse(graph, "test");
  PassManager pm({});
  pm.add_pipeline("tune-prefill", flags);
  PassContext ctx;
  ctx.cost_model = &cm;
  ctx.clock = [&cm] { return cm.now; };
  pm.run(*g, ctx);
  return {ir::print(*g), ctx.remarks};
}

std::map<std::pair<PrefillKernel, std::string>, double> times(double v8, double i8, double b8, double v4, double i4,
                                                              double b4) {
  const std::string q8 = "q8_0x16[128,64]", q4 = "q4_0x16[64,64]";
  return {{{PrefillKernel::Vnni, q8}, v8}, {{PrefillKernel::Int8Tiles, q8}, i8}, {{PrefillKernel::Bf16Tiles, q8}, b8},
          {{PrefillKernel::Vnni, q4}, v4}, {{PrefillKernel::Int8Tiles, q4}, i4}, {{PrefillKernel::Bf16Tiles, q4}, b4}};
}

bool has(const std::string& ir, const std::string& line) { return ir.find(line) != std::string::npos; }

TEST(TunePrefill, EachShapeTakesItsFastestKernel) {
  FakeCostModel cm(times(3, 1, 2, 1, 3, 2), 0.1);
  Tuned t = tune(cm, {{"tune-rows", "256"}});
  EXPECT_TRUE(has(t.ir, R"(%y1 = linear %x, %aq {prefill = "int8_tiles"})")) << t.ir;
  EXPECT_TRUE(has(t.ir, R"(%y3 = linear %x, %cq {prefill = "int8_tiles"})")) << t.ir;
  EXPECT_TRUE(has(t.ir, R"(%y2 = linear %x, %bq {prefill = "vnni"})")) << t.ir;
  EXPECT_EQ(cm.calls, 6) << "each shape's kernels timed once, however many linears share it";
  EXPECT_EQ(cm.rows, 256);
  ASSERT_EQ(t.remarks.size(), 2u);
  EXPECT_EQ(t.remarks[0].text(),
            "tune-prefill: %y1: q8_0x16[128,64] x256, 2 linears: int8_tiles 1000 ms < bf16_tiles 2000 ms < "
            "vnni 3000 ms");
}

TEST(TunePrefill, ATieGoesToTheFirstInTheFixedOrder) {
  FakeCostModel cm(times(2, 1, 1, 1, 1, 1), 0);
  Tuned t = tune(cm);
  EXPECT_TRUE(has(t.ir, R"(%y1 = linear %x, %aq {prefill = "int8_tiles"})")) << t.ir;
  EXPECT_TRUE(has(t.ir, R"(%y2 = linear %x, %bq {prefill = "vnni"})")) << t.ir;
}

TEST(TunePrefill, TheSameTimesGiveTheSameGraph) {
  FakeCostModel first(times(3, 2, 1, 2, 1, 3), 1), second(times(3, 2, 1, 2, 1, 3), 1);
  Tuned a = tune(first), b = tune(second);
  EXPECT_EQ(a.ir, b.ir);
  ASSERT_EQ(a.remarks.size(), b.remarks.size());
  for (size_t i = 0; i < a.remarks.size(); ++i) EXPECT_EQ(a.remarks[i].text(), b.remarks[i].text());
}

// The clock is read before each shape: a shape started is finished, the rest keep the default.
TEST(TunePrefill, TheBudgetLeavesTheRestAtTheDefault) {
  FakeCostModel cm(times(3, 1, 2, 1, 3, 2), 4);  // 12 s a shape
  Tuned t = tune(cm, {{"tune-budget", "10"}});
  EXPECT_EQ(cm.calls, 3);
  EXPECT_TRUE(has(t.ir, R"(%y1 = linear %x, %aq {prefill = "int8_tiles"})")) << t.ir;
  EXPECT_TRUE(has(t.ir, "%y2 = linear %x, %bq : f32[T,64]")) << t.ir;
  ASSERT_EQ(t.remarks.size(), 2u);
  EXPECT_EQ(t.remarks[1].text(),
            "tune-prefill: @g: budget of 10 s spent after 1 of 2 shapes: the 1 left keep the default kernel");
  EXPECT_EQ(t.remarks[1].kind, RemarkKind::Missed);

  FakeCostModel quick(times(3, 1, 2, 1, 3, 2), 4);  // quick's default budget is 10 s too
  tune(quick);
  EXPECT_EQ(quick.calls, 3);
  FakeCostModel full(times(3, 1, 2, 1, 3, 2), 4);  // full's is 60 s
  tune(full, {{"tune", "full"}});
  EXPECT_EQ(full.calls, 6);
}

// The shape with the most work (weights times linears) is timed first, whatever its place.
TEST(TunePrefill, TheBudgetGoesFirstToTheMostWork) {
  constexpr const char* graph = R"(graph @g(%x: f32[T,64]) {
  %a = param {name = "a.weight"} : f32[128,64]
  %aq = quantize %a {dtype = q8_0x16} : q8_0x16[128,64]
  %b = param {name = "b.weight"} : f32[512,64]
  %bq = quantize %b {dtype = q4_0x16} : q4_0x16[512,64]
  %y1 = linear %x, %aq : f32[T,128]
  %y2 = linear %x, %bq : f32[T,512]
  return %y1, %y2
}
)";
  std::map<std::pair<PrefillKernel, std::string>, double> t;
  for (PrefillKernel k : ir::kPrefillKernels) t[{k, "q4_0x16[512,64]"}] = 1;
  FakeCostModel cm(t, 4);
  const std::string ir = tune(cm, {{"tune-budget", "1"}}, graph).ir;
  EXPECT_EQ(cm.calls, 3);
  EXPECT_TRUE(has(ir, R"(%y2 = linear %x, %bq {prefill = "vnni"})")) << ir;
}

TEST(TunePrefill, OffAndForcedTimeNothing) {
  FakeCostModel off(times(3, 1, 2, 1, 3, 2), 1);
  EXPECT_FALSE(has(tune(off, {{"tune", "off"}}).ir, "prefill ="));
  FakeCostModel forced(times(3, 1, 2, 1, 3, 2), 1);
  Tuned t = tune(forced, {{"prefill-kernel", "bf16_tiles"}});
  EXPECT_EQ(off.calls + forced.calls, 0);
  EXPECT_TRUE(has(t.ir, R"(%y2 = linear %x, %bq {prefill = "bf16_tiles"})")) << t.ir;
}

// f32 weights are offered the bf16 tiles (the fake offers every kernel everywhere), but
// the tuner never times them there, however fast: they would round the weights to bf16.
// A remark says so; forcing the kernel sets it.
TEST(TunePrefill, F32WeightsTakeTheBf16TilesOnlyWhenForced) {
  constexpr const char* graph = R"(graph @g(%x: f32[T,64]) {
  %a = param {name = "a.weight"} : f32[128,64]
  %y = linear %x, %a : f32[T,128]
  return %y
}
)";
  const std::string f32 = "f32[128,64]";
  FakeCostModel cm({{{PrefillKernel::Vnni, f32}, 2}, {{PrefillKernel::Int8Tiles, f32}, 3}}, 0);
  Tuned t = tune(cm, {}, graph);
  EXPECT_TRUE(has(t.ir, R"(%y = linear %x, %a {prefill = "vnni"})")) << t.ir;
  EXPECT_EQ(cm.calls, 2) << "bf16_tiles (absent from the times) is never timed";
  ASSERT_FALSE(t.remarks.empty());
  EXPECT_EQ(t.remarks[0].text(),
            "tune-prefill: %y: f32[128,64]: bf16_tiles not timed: it would round the f32 weights to bf16, which only "
            "--prefill-kernel=bf16_tiles (--amx-bf16) asks for");
  FakeCostModel forced({}, 0);
  EXPECT_TRUE(has(tune(forced, {{"prefill-kernel", "bf16_tiles"}}, graph).ir,
                  R"(%y = linear %x, %a {prefill = "bf16_tiles"})"));
}

}  // namespace
}  // namespace lmc::passes
