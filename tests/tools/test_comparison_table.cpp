// lmc bench --vs-pipeline's table, as printed: every column starts where its head does
// whatever the figures' widths (a small graph runs at millions of rows a second, a large
// one's kernels take thousands of milliseconds), and the kernel table's total row sums each
// pipeline's calls and milliseconds.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "tools/lmc/reports/pipeline_comparison_output.h"

namespace lmc::tools {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The line that starts with `start`.
std::string line_starting(const std::vector<std::string>& lines, const std::string& start) {
  for (const auto& l : lines)
    if (l.rfind(start, 0) == 0) return l;
  ADD_FAILURE() << "no line starts with '" << start << "'";
  return "";
}

std::string printed(const report::PipelineComparison& c) {
  testing::internal::CaptureStdout();
  print_comparison_table(c);
  return testing::internal::GetCapturedStdout();
}

report::PipelineComparison wide_figures() {
  report::PipelineComparison c;
  c.a = "default,-fuse-elementwise";
  c.b = "default";
  c.compared = "its 1 result(s) at T=1";
  c.agree = true;
  c.speed = {{"T=1", {12345678.5, 12000000.25, 13000000.75}, {1.5, 1.25, 1.75}, "rows/s"},
             {"T=512,S=4096", {2.5, 2.25, 2.75}, {123456789.5, 120000000.5, 130000000.5}, "rows/s"}};
  c.kernels = {{"fused_linear_gelu_q8_0x16_4096x16384",
                "fusion(linear, gelu)",
                0,
                12,
                0,
                12345.678,
                {},
                {12000.5, 12345.678, 13000.25},
                0.1},
               {"gelu_f32_16384", "gelu", 12, 0, 1.5, 0, {1.25, 1.5, 1.75}, {}, 0.1}};
  c.kernel_note = "runs";
  return c;
}

TEST(ComparisonTable, SpeedColumnsStartUnderTheirHeadsWhateverTheFiguresWidth) {
  const std::vector<std::string> lines = lines_of(printed(wide_figures()));
  const std::string head = line_starting(lines, "test ");
  const std::string t1 = line_starting(lines, "T=1 "), t512 = line_starting(lines, "T=512,S=4096 ");
  const size_t b = head.find("B rows/s"), ratio = head.find("B/A"), p = head.find(" p ") + 1;
  ASSERT_NE(b, std::string::npos);
  EXPECT_EQ(t1.find("12345678.50 ("), head.find("A rows/s")) << head << "\n" << t1;
  EXPECT_EQ(t1.find("1.50 (1.25-1.75)"), b) << head << "\n" << t1;
  EXPECT_EQ(t512.find("123456789.50 ("), b) << head << "\n" << t512;
  EXPECT_EQ(t512.find("2.50 ("), head.find("A rows/s")) << head << "\n" << t512;
  EXPECT_EQ(t1.find("0.000"), ratio) << head << "\n" << t1;
  EXPECT_EQ(t512.find("49382715.800"), ratio) << head << "\n" << t512;
  EXPECT_EQ(t512[p - 1], ' ');
  EXPECT_NE(t512[p], ' ') << head << "\n" << t512;
}

TEST(ComparisonTable, KernelColumnsStartUnderTheirHeadsAndTheTotalSums) {
  const std::vector<std::string> lines = lines_of(printed(wide_figures()));
  const std::string head = line_starting(lines, "kernel ");
  const std::string fused = line_starting(lines, "fused_linear_gelu"), total = line_starting(lines, "total ");
  const size_t ms_a = head.find("ms A (min-max)"), ms_b = head.find("ms B (min-max)");
  EXPECT_EQ(fused.find("12345.678 (12000.500-13000.250)"), ms_b) << head << "\n" << fused;
  EXPECT_EQ(fused.find('-', ms_a), ms_a) << head << "\n" << fused;
  EXPECT_EQ(head.find("B-A ms") + 6, fused.find("+12345.678") + 10) << head << "\n" << fused;
  EXPECT_EQ(total.find("1.500"), ms_a) << head << "\n" << total;
  EXPECT_EQ(total.find("12345.678"), ms_b) << head << "\n" << total;
  EXPECT_NE(total.find(" 12      12 "), std::string::npos) << total;
}

}  // namespace
}  // namespace lmc::tools
