// The pass manager tells the report's recorder of every pass: its diff, pictures of the
// graph it changed, and its remarks beside the line of their op.
#include "driver/report/pass_recorder.h"

#include <gtest/gtest.h>

#include "ir/parser.h"
#include "passes/pass_manager.h"

namespace lmc::report {
namespace {

constexpr const char* kGraph = R"(graph @g(%x: f32[T,64]) {
  %junk = param {name = "unused.weight"} : f32[4]
  %w = param {name = "proj.weight"} : f32[64,64]
  %y = linear %x, %w : f32[T,64]
  return %y
}
)";

TEST(PassRecorder, RecordsEveryPassOfAPipeline) {
  auto g = ir::parse(kGraph, "g.lir");
  PassRecorder recorder;
  passes::Instrumentation inst;
  inst.observer = &recorder;
  passes::PassManager pm(inst);
  pm.add_pipeline("quant-threshold{min-dim=64},fuse-qkv,dce");
  passes::PassContext ctx;
  pm.run(*g, ctx);

  const auto& steps = recorder.steps();
  ASSERT_EQ(steps.size(), 3u);
  EXPECT_EQ(steps[0].name, "quant-threshold");
  EXPECT_TRUE(steps[0].changed);
  EXPECT_NE(steps[0].diff.find("+  %w_q8 = quantize %w"), std::string::npos) << steps[0].diff;
  ASSERT_FALSE(steps[0].remarks.empty());
  EXPECT_EQ(steps[0].remarks[0].value, "%w");
  EXPECT_EQ(steps[0].remarks[0].op_line, "%w = param {name = \"proj.weight\"} : f32[64,64]");
  ASSERT_EQ(steps[0].pictures.size(), 2u);  // a small graph without layers, drawn whole
  EXPECT_EQ(steps[0].pictures[0].caption, "before (the whole graph)");

  EXPECT_EQ(steps[1].name, "fuse-qkv");  // nothing to fuse: no diff, no pictures
  EXPECT_FALSE(steps[1].changed);
  EXPECT_TRUE(steps[1].diff.empty());
  EXPECT_TRUE(steps[1].pictures.empty());

  EXPECT_NE(steps[2].diff.find("-  %junk = param"), std::string::npos) << steps[2].diff;
  EXPECT_EQ(recorder.final_ir().find("%junk"), std::string::npos);
}

}  // namespace
}  // namespace lmc::report
