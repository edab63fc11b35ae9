#include "tools/lmc/reports/pipeline_comparison_output.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "driver/report/kernel_time_rows.h"
#include "driver/report/rank_test.h"
#include "driver/report/speed_figure.h"

namespace lmc::tools {

namespace {

std::string spread_text(const std::vector<double>& runs) {
  const report::RunSpread s = report::run_spread(runs);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%.2f (%.2f-%.2f)", s.median, s.min, s.max);
  return buf;
}

// "1.234 (1.200-1.301)": a kernel's mean milliseconds in a run with the least and most runs.
std::string ms_text(int64_t calls, double ms, const std::vector<double>& runs) {
  if (!calls) return "-";
  const report::RunSpread s = report::run_spread(runs);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%.3f (%.3f-%.3f)", ms, s.min, s.max);
  return buf;
}

void print_agreement(const report::PipelineComparison& c) {
  std::printf("agreement: %s: %s of B against A: max_abs=%.4g max_rel=%.4g cosine=%.6f tolerance %g\n",
              c.agree ? "agree" : "disagree", c.compared.c_str(), c.max_abs, c.max_rel, c.cosine, c.tolerance);
}

// A column as wide as its head or its widest cell: a graph's rows a second run to seven
// digits and more, a large graph's kernel milliseconds to four, past any fixed width.
int column_width(const std::string& head, const std::vector<std::string>& cells) {
  size_t w = head.size();
  for (const auto& cell : cells) w = std::max(w, cell.size());
  return static_cast<int>(w);
}

void print_speed(const report::PipelineComparison& c) {
  const std::string unit = c.speed.front().unit;
  const double level = report::figure_level(c);
  const std::string head_a = "A " + unit + " median (min-max)", head_b = "B " + unit + " median (min-max)";
  std::vector<std::string> tests, cells_a, cells_b, ratios;
  for (const auto& f : c.speed) {
    tests.push_back(f.test);
    cells_a.push_back(spread_text(f.a));
    cells_b.push_back(spread_text(f.b));
    char ratio[64];
    std::snprintf(ratio, sizeof ratio, "%.3f", report::speed_ratio(f));
    ratios.push_back(ratio);
  }
  const int t = std::max(12, column_width("test", tests)), a = column_width(head_a, cells_a),
            b = column_width(head_b, cells_b), r = std::max(7, column_width("B/A", ratios));
  std::printf("\n%-*s %-*s %-*s %-*s %-8s %s\n", t, "test", a, head_a.c_str(), b, head_b.c_str(), r, "B/A", "p",
              "verdict");
  for (size_t i = 0; i < c.speed.size(); ++i) {
    const report::SpeedFigure& f = c.speed[i];
    std::printf("%-*s %-*s %-*s %-*s %-8.2g %s\n", t, tests[i].c_str(), a, cells_a[i].c_str(), b, cells_b[i].c_str(), r,
                ratios[i].c_str(), report::mann_whitney(f.a, f.b).p, report::figure_verdict(f, level).c_str());
  }
  std::printf("verdict: %s\n", report::speed_verdict(c).c_str());
}

void print_kernels(const report::PipelineComparison& c) {
  std::vector<std::string> symbols, cells_a, cells_b;
  long long calls_a = 0, calls_b = 0;
  double ms_a = 0, ms_b = 0;
  for (const auto& k : c.kernels) {
    symbols.push_back(k.symbol);
    cells_a.push_back(ms_text(k.calls_a, k.ms_a, k.runs_a));
    cells_b.push_back(ms_text(k.calls_b, k.ms_b, k.runs_b));
    calls_a += k.calls_a;
    calls_b += k.calls_b;
    ms_a += k.ms_a;
    ms_b += k.ms_b;
  }
  const int w = column_width("kernel", symbols), a = column_width("ms A (min-max)", cells_a),
            b = column_width("ms B (min-max)", cells_b);
  std::printf("\nkernels: %s\n%-*s %-9s %7s %7s %-*s %-*s %10s %-8s  %s\n", c.kernel_note.c_str(), w, "kernel", "in",
              "calls A", "calls B", a, "ms A (min-max)", b, "ms B (min-max)", "B-A ms", "p", "op");
  for (size_t i = 0; i < c.kernels.size(); ++i) {
    const report::KernelTimeRow& k = c.kernels[i];
    std::printf("%-*s %-9s %7lld %7lld %-*s %-*s %+10.3f %-8.2g  %s\n", w, k.symbol.c_str(), report::kernel_presence(k),
                static_cast<long long>(k.calls_a), static_cast<long long>(k.calls_b), a, cells_a[i].c_str(), b,
                cells_b[i].c_str(), k.ms_b - k.ms_a, k.p, k.op.c_str());
  }
  // Each pipeline's kernel time in a run, the sum of its kernels' means.
  std::printf("%-*s %-9s %7lld %7lld %-*.3f %-*.3f %+10.3f\n", w, "total", "", calls_a, calls_b, a, ms_a, b, ms_b,
              ms_b - ms_a);
}

nlohmann::json spread_json(const std::vector<double>& runs) {
  const report::RunSpread s = report::run_spread(runs);
  return {{"median", s.median}, {"min", s.min}, {"max", s.max}, {"samples", runs}};
}

}  // namespace

void print_comparison_table(const report::PipelineComparison& c) {
  std::printf("pipeline A: %s\npipeline B: %s\n", c.a.c_str(), c.b.c_str());
  print_agreement(c);
  if (!c.speed.empty()) print_speed(c);
  if (!c.kernels.empty()) print_kernels(c);
}

std::string comparison_json(const report::PipelineComparison& c) {
  nlohmann::json tests = nlohmann::json::array(), kernels = nlohmann::json::array();
  for (const auto& f : c.speed)
    tests.push_back({{"test", f.test},
                     {"unit", f.unit},
                     {"a", spread_json(f.a)},
                     {"b", spread_json(f.b)},
                     {"ratio", report::speed_ratio(f)},
                     {"p", report::mann_whitney(f.a, f.b).p},
                     {"verdict", report::figure_verdict(f, report::figure_level(c))}});
  for (const auto& k : c.kernels)
    kernels.push_back({{"symbol", k.symbol},
                       {"op", k.op},
                       {"in", report::kernel_presence(k)},
                       {"calls_a", k.calls_a},
                       {"calls_b", k.calls_b},
                       {"ms_a", k.ms_a},
                       {"ms_b", k.ms_b},
                       {"runs_ms_a", k.runs_a},
                       {"runs_ms_b", k.runs_b},
                       {"diff_ms", k.ms_b - k.ms_a},
                       {"p", k.p}});
  nlohmann::json out = {{"pipeline_a", c.a},
                        {"pipeline_b", c.b},
                        {"agreement",
                         {{"agree", c.agree},
                          {"tokens", c.agreement_tokens},
                          {"max_abs", c.max_abs},
                          {"max_rel", c.max_rel},
                          {"cosine", c.cosine},
                          {"tolerance", c.tolerance}}},
                        {"tests", tests},
                        {"verdict", report::speed_verdict(c)},
                        {"kernels", kernels},
                        {"kernel_note", c.kernel_note}};
  return out.dump(2) + "\n";
}

}  // namespace lmc::tools
