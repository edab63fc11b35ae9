// The walking helpers some passes are written with (passes/api/pattern.h) and the guard of
// the horizontal-fusion helper (passes/transforms/horizontal_fusion.h).
#include <gtest/gtest.h>

#include <functional>

#include "ir/parser.h"
#include "ir/printer.h"
#include "passes/api/pattern.h"
#include "passes/transforms/horizontal_fusion.h"
#include "support/error.h"

namespace lmc::passes {
namespace {

ir::Value* value(ir::Graph& g, const std::string& name) {
  if (ir::Value* a = g.arg(name)) return a;
  for (auto& op : g.ops())
    for (size_t i = 0; i < op->num_results(); ++i)
      if (op->result(i)->name() == name) return op->result(i);
  return nullptr;
}

const char* kGraph =
    "graph @p(%x: f32[T,32], %positions: i32[T], %seq: i32[T]) {\n"
    "  %wq = param {name = \"q\"} : f32[32,32]\n"
    "  %q = linear %x, %wq : f32[T,32]\n"
    "  %qn = scale %q {factor = 2.0} : f32[T,32]\n"
    "  %qr = rope %qn, %positions {base = 10000.0, head_dim = 16, style = \"neox\"} : f32[T,32]\n"
    "  %wk = param {name = \"k\"} : f16[32,32]\n"
    "  %k = linear %x, %wk : f32[T,32]\n"
    "  %wv = param {name = \"v\"} : f32[32,32]\n"
    "  %bv = param {name = \"bv\"} : f32[32]\n"
    "  %v = linear %x, %wv : f32[T,32]\n"
    "  %vb = add %v, %bv : f32[T,32]\n"
    "  %two = add %qr, %qr : f32[T,32]\n"
    "  return %two, %k, %vb\n"
    "}\n";

TEST(Pattern, DefinedByMatchesTheKind) {
  auto g = ir::parse(kGraph);
  EXPECT_EQ(defined_by(value(*g, "q"), "linear"), value(*g, "q")->def());
  EXPECT_EQ(defined_by(value(*g, "q"), "add"), nullptr);
  EXPECT_EQ(defined_by(value(*g, "x"), "linear"), nullptr);  // an argument has no op
}

TEST(Pattern, SkipBackFollowsOperandZero) {
  auto g = ir::parse(kGraph);
  EXPECT_EQ(skip_back(value(*g, "qr"), {"rope", "scale"}), value(*g, "q"));
  EXPECT_EQ(skip_back(value(*g, "qr"), {"rope"}), value(*g, "qn"));
  EXPECT_EQ(skip_back(value(*g, "x"), {"rope"}), value(*g, "x"));
}

TEST(Pattern, SingleUseCountsOperandsAndOutputs) {
  auto g = ir::parse(kGraph);
  EXPECT_TRUE(has_single_use(*g, value(*g, "q")));
  EXPECT_FALSE(has_single_use(*g, value(*g, "qr")));  // read twice by one op
  EXPECT_FALSE(has_single_use(*g, value(*g, "x")));   // read by three linears
  EXPECT_FALSE(has_single_use(*g, value(*g, "two"))); // unread, but a graph output
}

TEST(Pattern, OpsOfKindAndFirstInOrder) {
  auto g = ir::parse(kGraph);
  auto linears = ops_of_kind(*g, "linear");
  ASSERT_EQ(linears.size(), 3u);
  EXPECT_EQ(linears[0]->result()->name(), "q");
  EXPECT_EQ(first_in_order(*g, {linears[2], linears[1]}), linears[1]);
}

TEST(Pattern, AMisspeltKindIsAnErrorNotANonMatch) {
  auto g = ir::parse(kGraph);
  for (const auto& call : std::vector<std::function<void()>>{[&] { defined_by(value(*g, "q"), "lineaer"); },
                                                             [&] { skip_back(value(*g, "qr"), {"rope", "scael"}); },
                                                             [&] { ops_of_kind(*g, "linaer"); }}) {
    try {
      call();
      ADD_FAILURE() << "a misspelt op kind matched quietly";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("which the op table does not have"), std::string::npos) << e.what();
    }
  }
}

TEST(Pattern, KnownAtCompileTimeIsParamsAndTheirTransforms) {
  auto g = ir::parse(
      "graph @w(%x: f32[T,32], %wa: f32[32,32]) {\n"
      "  %wp = param {name = \"p\"} : f32[32,32]\n"
      "  %wq = quantize %wp {dtype = q8_0} : q8_0[32,32]\n"
      "  %wc = concat %wp, %wa {axis = 0} : f32[64,32]\n"
      "  %y = linear %x, %wc : f32[T,64]\n"
      "  %z = linear %x, %wq : f32[T,32]\n"
      "  return %y, %z\n"
      "}\n");
  EXPECT_TRUE(known_at_compile_time(value(*g, "wp")));
  EXPECT_TRUE(known_at_compile_time(value(*g, "wq")));   // a transform of a param folds
  EXPECT_FALSE(known_at_compile_time(value(*g, "wa")));  // an argument arrives with each call
  EXPECT_FALSE(known_at_compile_time(value(*g, "wc")));  // and so does what is made from one
  EXPECT_FALSE(known_at_compile_time(value(*g, "y")));   // an activation is no weight
}

TEST(HorizontalFusion, GuardSaysWhyNot) {
  auto g = ir::parse(kGraph);
  ir::Op* q = value(*g, "q")->def();
  ir::Op* k = value(*g, "k")->def();
  ir::Op* v = value(*g, "v")->def();
  EXPECT_EQ(sibling_fusion_blocker(*g, {q, q}), "");
  EXPECT_EQ(sibling_fusion_blocker(*g, {q, k}), "weights differ in dtype");
  EXPECT_EQ(sibling_fusion_blocker(*g, {q, v}), "biases on some but not all");
  EXPECT_EQ(sibling_fusion_blocker(*g, {q, value(*g, "qn")->def()}), "not linears of one kind");
  EXPECT_EQ(bias_add(*g, v), value(*g, "vb")->def());
  EXPECT_EQ(bias_add(*g, q), nullptr);  // its reader scales, it adds no bias
  auto a = ir::parse(
      "graph @a(%x: f32[T,32], %wa: f32[32,32]) {\n"
      "  %wp = param {name = \"p\"} : f32[32,32]\n"
      "  %y = linear %x, %wp : f32[T,32]\n"
      "  %z = linear %x, %wa : f32[T,32]\n"
      "  return %y, %z\n"
      "}\n");
  EXPECT_EQ(sibling_fusion_blocker(*a, {value(*a, "y")->def(), value(*a, "z")->def()}),
            "weight %wa arrives with each call (a graph argument, not a param)");
}

}  // namespace
}  // namespace lmc::passes
