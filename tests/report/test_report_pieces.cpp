// The report's pieces that read the compile: the op line a remark is about, instruction
// counts of an assembly listing, Graphviz's SVG, and a report path that cannot be written
// or is a device, FIFO or link (tests/runtime/output_kinds.h).
#include <gtest/gtest.h>

#include <filesystem>

#include "driver/report/graph_picture.h"
#include "driver/report/graphviz_svg.h"
#include "driver/report/ir_line.h"
#include "driver/report/kernel_rows.h"
#include "driver/report/pass_recorder.h"
#include "driver/report/report_file.h"
#include "ir/parser.h"
#include "support/error.h"
#include "tests/runtime/output_kinds.h"

namespace lmc::report {
namespace {

TEST(DefiningLine, FindsTheOpOfAValue) {
  const std::string ir =
      "graph @g(%x: f32[T,4]) {\n  %ab = add %x, %x : f32[T,4]\n  %a, %b = split %ab {axis = 1, sizes = [2, 2]} "
      ": f32[T,2], f32[T,2]\n  return %a\n}\n";
  EXPECT_EQ(defining_line(ir, "%ab"), "%ab = add %x, %x : f32[T,4]");
  EXPECT_EQ(defining_line(ir, "%b").substr(0, 17), "%a, %b = split %a");
  EXPECT_EQ(defining_line(ir, "%x"), "");
  EXPECT_EQ(defining_line(ir, "%a.1"), "");
}

TEST(DefinedValues, OfOpLinesAndDiffLines) {
  using V = std::vector<std::string>;
  EXPECT_EQ(defined_values("  %a, %b = split %x {axis = 1} : f32[T,2], f32[T,2]"), (V{"%a", "%b"}));
  EXPECT_EQ(defined_values("+  %q = fusion %x, %w {", true), (V{"%q"}));
  EXPECT_EQ(defined_values("   %q = linear %a, %w : f32[T,4]", true), (V{"%q"}));
  EXPECT_EQ(defined_values("graph @g(%x: f32[T,4]) {"), V{});
  EXPECT_EQ(defined_values("  return %a"), V{});
  EXPECT_EQ(defined_values("+", true), V{});
}

TEST(CountInstructions, SkipsLabelsDirectivesAndComments) {
  const std::string listing =
      "\t.text\n\t.globl\tk\nk:\n# %bb.0:\n\tvmovups\t(%rdi), %ymm0\n\tvaddps\t%ymm0, %ymm0, %ymm0\n"
      ".LBB0_1:\n\tretq\n\n";
  EXPECT_EQ(count_instructions(listing), 3);
}

TEST(RenderSvg, LaysOutADotGraph) {
  std::string svg = render_svg("digraph g { a -> b; }");
  EXPECT_NE(svg.find("<svg"), std::string::npos);
  EXPECT_NE(svg.find(">a</text>"), std::string::npos);
}

TEST(RenderSvg, BadDotIsAnError) {
  try {
    render_svg("digraph g { a -> ");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("graphviz: error:"), std::string::npos) << e.what();
  }
}

// Two layers; `second` is layer 1's op.
std::string two_layers(const std::string& second) {
  return "graph @g(%x: f32[T,8]) {\n"
         "  %w0 = param {name = \"blk.0.ffn_up.weight\"} : f32[8,8]\n"
         "  %w1 = param {name = \"blk.1.ffn_up.weight\"} : f32[8,8]\n"
         "  %y0 = linear %x, %w0 : f32[T,8]\n"
         "  %y1 = " +
         second +
         "\n"
         "  return %y1\n}\n";
}

TEST(ChangePictures, DrawTheLayerThePassChanged) {
  auto before = ir::parse(two_layers("linear %y0, %w1 : f32[T,8]"), "before");
  auto after = ir::parse(two_layers("linear %y0, %w1 {activation = \"silu\"} : f32[T,8]"), "after");
  auto pictures = change_pictures(*before, *after);
  ASSERT_EQ(pictures.size(), 2u);
  EXPECT_EQ(pictures[0].caption, "before (layer 1)");
  EXPECT_EQ(pictures[1].caption, "after, what changed outlined (layer 1)");
  EXPECT_NE(pictures[1].svg.find("<svg"), std::string::npos);
}

TEST(ReportFile, AnUnwritablePathFailsAtOnce) {
  const std::string path = "/nonexistent-dir-for-lmc/report.html";
  try {
    ReportFile f(path);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    std::string what = e.what();
    EXPECT_EQ(what.rfind("--report: " + path, 0), 0u) << what;
  }
}

TEST(ReportFile, NothingUntilWritten) {
  const auto path = std::filesystem::path(testing::TempDir()) / "lmc-report-test.html";
  std::filesystem::remove(path);
  {
    ReportFile f(path.string());
    EXPECT_FALSE(std::filesystem::exists(path));
  }
  EXPECT_FALSE(std::filesystem::exists(path));  // dropped unwritten: no half page left
  ReportFile f(path.string());
  f.write(CompileReport{});
  EXPECT_TRUE(std::filesystem::exists(path));
  std::filesystem::remove(path);
}

void write_report(const std::string& path) {
  ReportFile f(path);
  CompileReport r;
  r.title = "a report";
  f.write(r);
}
void expect_report(const std::string& bytes) {
  EXPECT_NE(bytes.find("<html"), std::string::npos) << bytes.substr(0, 200);
  EXPECT_NE(bytes.find("a report"), std::string::npos);
}
LMC_OUTPUT_KIND_TESTS(ReportFileOutput, write_report, expect_report)

}  // namespace
}  // namespace lmc::report
