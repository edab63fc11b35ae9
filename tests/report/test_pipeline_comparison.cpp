// The pieces of lmc bench --vs-pipeline's report: kernels of two profiles paired by symbol
// with their time per run, a figure's spread and ratio, and the page's section.
#include <gtest/gtest.h>

#include <sstream>

#include "driver/report/comparison_section.h"
#include "driver/report/html_report.h"
#include "driver/report/kernel_time_rows.h"
#include "driver/report/speed_figure.h"
#include "ir/parser.h"

namespace lmc::report {
namespace {

constexpr const char* kGraph = R"(graph @g(%x: f32[T,4]) {
  %a = add %x, %x : f32[T,4]
  %m = mul %a, %x : f32[T,4]
  return %m
}
)";

// A profiler of kGraph's two ops under `symbols`, with `steps` steps in which node i runs
// ns[i] nanoseconds.
runtime::Profiler profile(const ir::Graph& g, const std::vector<std::string>& symbols, int steps,
                          const std::vector<int64_t>& ns) {
  std::vector<const ir::Op*> ops;
  for (const auto& op : g.ops()) ops.push_back(op.get());
  runtime::Profiler p(runtime::Profiler::classify(ops, symbols), 1);
  for (int s = 0; s < steps; ++s) {
    p.begin_step(1, 1, s);
    int64_t at = 0;
    for (size_t i = 0; i < ns.size(); ++i) {
      p.record_node(static_cast<int>(i), at, at + ns[i], 0);
      at += ns[i];
    }
    p.end_step();
  }
  return p;
}

TEST(KernelTimeRows, PairsKernelsBySymbolPerRunTheLeastPFirst) {
  auto g = ir::parse(kGraph, "g.lir");
  // Five runs of two steps each: A runs k_add and k_mul, B k_add and k_mul2 (its own); k_add
  // takes the same time in both but for B's third run, k_mul2 far longer than k_mul.
  std::vector<runtime::Profiler> a, b;
  for (int run = 0; run < 5; ++run) {
    a.push_back(profile(*g, {"k_add", "k_mul"}, 2, {1'000'000 + run * 1000, 2'000'000}));
    b.push_back(profile(*g, {"k_add", "k_mul2"}, 2, {1'000'000 + run * 1000 + (run == 2 ? 500 : -500), 5'000'000}));
  }
  std::vector<KernelTimeRow> rows = kernel_time_rows(a, b);
  ASSERT_EQ(rows.size(), 3u);
  // k_mul2 and k_mul: present in one pipeline only, every run apart (p = 2/252), the larger
  // difference first.
  EXPECT_EQ(rows[0].symbol, "k_mul2");
  EXPECT_EQ(rows[0].op, "mul");
  EXPECT_EQ(rows[0].calls_a, 0);
  EXPECT_EQ(rows[0].calls_b, 2);
  EXPECT_DOUBLE_EQ(rows[0].ms_b, 10.0);
  EXPECT_EQ(rows[0].runs_a, std::vector<double>(5, 0.0));
  EXPECT_NEAR(rows[0].p, 2.0 / 252, 1e-12);
  EXPECT_STREQ(kernel_presence(rows[0]), "only in B");
  EXPECT_EQ(rows[1].symbol, "k_mul");
  EXPECT_DOUBLE_EQ(rows[1].ms_a, 4.0);
  EXPECT_STREQ(kernel_presence(rows[1]), "only in A");
  // k_add: each run's own milliseconds, interleaved between the pipelines: noise.
  EXPECT_EQ(rows[2].symbol, "k_add");
  EXPECT_EQ(rows[2].calls_a, 2);
  EXPECT_EQ(rows[2].calls_b, 2);
  ASSERT_EQ(rows[2].runs_a.size(), 5u);
  EXPECT_DOUBLE_EQ(rows[2].runs_a[1], 2.002);
  EXPECT_DOUBLE_EQ(rows[2].runs_b[2], 2.005);
  EXPECT_GT(rows[2].p, 0.5);
  EXPECT_STREQ(kernel_presence(rows[2]), "both");
}

TEST(SpeedFigure, MedianSpreadAndRatio) {
  RunSpread s = run_spread({30, 10, 20, 40});
  EXPECT_DOUBLE_EQ(s.median, 25);
  EXPECT_DOUBLE_EQ(s.min, 10);
  EXPECT_DOUBLE_EQ(s.max, 40);
  EXPECT_DOUBLE_EQ(run_spread({3, 1, 2}).median, 2);
  EXPECT_DOUBLE_EQ(run_spread({}).median, 0);
  EXPECT_DOUBLE_EQ(speed_ratio({"tg4", {10, 30, 20}, {25, 35, 30}}), 1.5);
  EXPECT_DOUBLE_EQ(speed_ratio({"tg4", {}, {1}}), 0);
}

PipelineComparison sample() {
  PipelineComparison c;
  c.a = "default";
  c.b = "default,-fuse<x>";
  c.agreement_tokens = 8;
  c.compared = "the first step's logits (8 prompt rows)";
  c.max_abs = 0.5;
  c.max_rel = 0.05;
  c.cosine = 0.99;
  c.tolerance = 0.001;
  c.agree = false;
  c.speed = {{"pp8", {100, 90, 110}, {50, 40, 60}}};
  c.kernels = {{"k_<mul>", "fusion(mul, add)", 0, 3, 0, 1.25, {0, 0, 0}, {1.0, 1.25, 1.5}, 0.1}};
  c.kernel_note = "runs of a prompt";
  return c;
}

TEST(ComparisonSection, ShowsAgreementFiguresAndKernelsEscaped) {
  std::ostringstream os;
  write_comparison(os, sample());
  const std::string html = os.str();
  EXPECT_NE(html.find("<code>default,-fuse&lt;x&gt;</code>"), std::string::npos) << html;
  EXPECT_NE(html.find("<p id=\"agreement\" class=\"disagree\"><strong>disagree</strong>"), std::string::npos);
  EXPECT_NE(html.find("max_rel 0.05,"), std::string::npos);
  EXPECT_NE(
      html.find("<td>pp8</td><td class=\"num\">100.0 (90.0 – 110.0)</td><td class=\"num\">50.0 (40.0 – "
                "60.0)</td><td class=\"num\">0.500</td><td class=\"num\">0.1</td><td>inconclusive: run with -r 4</td>"),
      std::string::npos)
      << html;
  EXPECT_NE(html.find("<code>k_&lt;mul&gt;</code></td><td>fusion(mul, add)</td><td>only in B</td><td "
                      "class=\"num\">0</td><td class=\"num\">3</td><td class=\"num\">—</td><td "
                      "class=\"num\">1.250 (1.000 – 1.500)</td><td class=\"num\">+1.250</td><td "
                      "class=\"num\">0.1</td>"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("<p id=\"verdict\">inconclusive: run with -r 4: a rank test over 3 turn(s) of each cannot "
                      "reach p &lt; 0.05</p>"),
            std::string::npos)
      << html;
}

TEST(ComparisonSection, InThePageOnlyWhenThereIsOne) {
  CompileReport r;
  r.title = "m";
  EXPECT_EQ(html_report(r).find("comparison"), std::string::npos);
  r.comparison = sample();
  const std::string html = html_report(r);
  EXPECT_NE(html.find("<a href=\"#comparison\">pipelines compared</a>"), std::string::npos);
  EXPECT_NE(html.find("<section id=\"comparison\">"), std::string::npos);
}

}  // namespace
}  // namespace lmc::report
