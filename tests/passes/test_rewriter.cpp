// The rewriter (passes/api/rewriter.h): grouping ops into fusion regions keeps names,
// turns outside reads into operands and outside uses into results, inlines fusions it
// groups again, restores program order, and refuses groups that would make a cycle
// or that no kernel can run.
#include <gtest/gtest.h>

#include "ir/parser.h"
#include "ir/printer.h"
#include "ir/verifier.h"
#include "passes/api/rewriter.h"
#include "support/error.h"
#include "tests/passes/graph_lookup.h"

namespace lmc::passes {
namespace {

const char* kBlock =
    "graph @b(%x: f32[T,32]) {\n"
    "  %nw = param {name = \"nw\"} : f32[32]\n"
    "  %h = rms_norm %x, %nw {eps = 1e-06} : f32[T,32]\n"
    "  %w = param {name = \"w\"} : f32[32,32]\n"
    "  %y = linear %h, %w : f32[T,32]\n"
    "  %s = silu %y : f32[T,32]\n"
    "  %r = add %x, %s : f32[T,32]\n"
    "  %w2 = param {name = \"w2\"} : f32[32,32]\n"
    "  %z = linear %r, %w2 : f32[T,32]\n"
    "  return %z, %y\n"
    "}\n";

TEST(Rewriter, FuseMakesARegionThatKeepsNames) {
  auto g = ir::parse(kBlock);
  Rewriter rw(*g);
  ir::Op* f = rw.fuse({op_named(*g, "h"), op_named(*g, "y")});
  ir::verify(*g, "test");
  ASSERT_TRUE(f->body());
  EXPECT_EQ(f->result()->name(), "y");
  ASSERT_EQ(f->operands().size(), 3u);  // %x, %nw, %w
  EXPECT_EQ(f->operand(0)->name(), "x");
  EXPECT_EQ(f->body()->ops().size(), 2u);
  // %y is still returned and read by %s: one result.
  EXPECT_EQ(f->num_results(), 1u);
  EXPECT_EQ(g->outputs()[1], f->result());
  auto text = ir::print(*g);
  EXPECT_EQ(ir::print(*ir::parse(text)), text);
}

TEST(Rewriter, FusingAFusionInlinesItsBody) {
  auto g = ir::parse(kBlock);
  Rewriter rw(*g);
  ir::Op* f = rw.fuse({op_named(*g, "h"), op_named(*g, "y")});
  ir::Op* f2 = rw.fuse({f, op_named(*g, "s")});
  ir::verify(*g, "test");
  EXPECT_EQ(f2->body()->ops().size(), 3u);
  // %y leaves the region (a graph output) as well as %s (read by %r).
  ASSERT_EQ(f2->num_results(), 2u);
  EXPECT_EQ(f2->result(0)->name(), "y");
  EXPECT_EQ(f2->result(1)->name(), "s");
}

TEST(Rewriter, RefusesCyclesAndRegionsNoKernelCanRun) {
  auto g = ir::parse(kBlock);
  Rewriter rw(*g);
  // %s sits between %y and %r: grouping %y with %r around it would be a cycle.
  EXPECT_NE(rw.fusion_blocker({op_named(*g, "y"), op_named(*g, "r")}).find("cycle"), std::string::npos);
  // Two projections are two anchors.
  EXPECT_NE(rw.fusion_blocker({op_named(*g, "y"), op_named(*g, "s"), op_named(*g, "r"), op_named(*g, "z")})
                .find("at most one anchor"),
            std::string::npos);
  EXPECT_THROW(rw.fuse({op_named(*g, "y"), op_named(*g, "r")}), Error);
  EXPECT_EQ(rw.fusion_blocker({op_named(*g, "s"), op_named(*g, "r")}), "");
}

TEST(Rewriter, RestoresAnOrderWhereEveryOpFollowsItsProducers) {
  auto g = ir::parse(
      "graph @o(%x: f32[T,8]) {\n"
      "  %a = silu %x : f32[T,8]\n"
      "  %b = gelu %a : f32[T,8]\n"
      "  %c = scale %a {factor = 2.0} : f32[T,8]\n"
      "  return %b, %c\n"
      "}\n");
  Rewriter(*g).fuse({op_named(*g, "a"), op_named(*g, "c")});
  ir::verify(*g, "test");  // %b reads %a, which now comes from the fusion placed after it
  EXPECT_LT(ir::print(*g).find("fusion"), ir::print(*g).find("%b = gelu"));
}

TEST(Rewriter, HoistWeightsMovesOnlyLaterParams) {
  auto g = ir::parse(
      "graph @h(%x: f32[T,32]) {\n"
      "  %wq = param {name = \"q\"} : f32[32,32]\n"
      "  %q = linear %x, %wq : f32[T,32]\n"
      "  %qn = scale %q {factor = 2.0} : f32[T,32]\n"
      "  %wv = param {name = \"v\"} : f32[32,32]\n"
      "  %v = linear %x, %wv : f32[T,32]\n"
      "  return %qn, %v\n"
      "}\n");
  Rewriter(*g).hoist_weights({op_named(*g, "wv")->result(), op_named(*g, "wq")->result(), op_named(*g, "qn")->result()},
                             op_named(*g, "q"));
  std::string text = ir::print(*g);
  // wv moves above %q; wq already is; qn is not a param and stays.
  EXPECT_LT(text.find("%wv = param"), text.find("%q = linear")) << text;
  EXPECT_LT(text.find("%wq = param"), text.find("%wv = param")) << text;
  EXPECT_LT(text.find("%q = linear"), text.find("%qn = scale")) << text;
}

TEST(Rewriter, HoistWeightsMovesATransformWithItsParam) {
  auto g = ir::parse(
      "graph @h(%x: f32[T,32]) {\n"
      "  %wq = param {name = \"q\"} : f32[64,32]\n"
      "  %sq = slice %wq {axis = 0, begin = 0, size = 32} : f32[32,32]\n"
      "  %q = linear %x, %sq : f32[T,32]\n"
      "  %wv = param {name = \"v\"} : f32[64,32]\n"
      "  %sv = slice %wv {axis = 0, begin = 32, size = 32} : f32[32,32]\n"
      "  %v = linear %x, %sv : f32[T,32]\n"
      "  return %q, %v\n"
      "}\n");
  Rewriter(*g).hoist_weights({op_named(*g, "sv")->result()}, op_named(*g, "q"));
  std::string text = ir::print(*g);
  EXPECT_LT(text.find("%wv = param"), text.find("%sv = slice")) << text;
  EXPECT_LT(text.find("%sv = slice"), text.find("%q = linear")) << text;
  EXPECT_NO_THROW(ir::verify(*g, "test")) << text;
}

TEST(Rewriter, ReplaceKeepsTheOldName) {
  auto g = ir::parse(kBlock);
  Rewriter rw(*g);
  rw.replace(op_named(*g, "s")->result(), op_named(*g, "y")->result());
  ir::verify(*g, "test");
  EXPECT_NE(ir::print(*g).find("%r = add %x, %s"), std::string::npos) << ir::print(*g);
  EXPECT_EQ(ir::print(*g).find("silu"), std::string::npos);
}

}  // namespace
}  // namespace lmc::passes
