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

// The columns as wide as their widest cell: a graph's rows a second run to seven digits
// and more, past a fixed width.
void print_speed(const report::PipelineComparison& c) {
  const std::string unit = c.speed.front().unit;
  const double level = report::figure_level(c);
  const std::string head_a = "A " + unit + " median (min-max)", head_b = "B " + unit + " median (min-max)";
  size_t wa = head_a.size(), wb = head_b.size();
  for (const auto& f : c.speed) {
    wa = std::max(wa, spread_text(f.a).size());
    wb = std::max(wb, spread_text(f.b).size());
  }
  const int a = static_cast<int>(wa), b = static_cast<int>(wb);
  std::printf("\n%-12s %-*s %-*s %-7s %-8s %s\n", "test", a, head_a.c_str(), b, head_b.c_str(), "B/A", "p", "verdict");
  for (const auto& f : c.speed)
    std::printf("%-12s %-*s %-*s %-7.3f %-8.2g %s\n", f.test.c_str(), a, spread_text(f.a).c_str(), b,
                spread_text(f.b).c_str(), report::speed_ratio(f), report::mann_whitney(f.a, f.b).p,
                report::figure_verdict(f, level).c_str());
  std::printf("verdict: %s\n", report::speed_verdict(c).c_str());
}

void print_kernels(const report::PipelineComparison& c) {
  size_t width = 6;
  for (const auto& k : c.kernels) width = std::max(width, k.symbol.size());
  const int w = static_cast<int>(width);
  std::printf("\nkernels: %s\n%-*s %-9s %7s %7s %-26s %-26s %10s %-8s  %s\n", c.kernel_note.c_str(), w, "kernel", "in",
              "calls A", "calls B", "ms A (min-max)", "ms B (min-max)", "B-A ms", "p", "op");
  long long calls_a = 0, calls_b = 0;
  double ms_a = 0, ms_b = 0;
  for (const auto& k : c.kernels) {
    std::printf("%-*s %-9s %7lld %7lld %-26s %-26s %+10.3f %-8.2g  %s\n", w, k.symbol.c_str(),
                report::kernel_presence(k), static_cast<long long>(k.calls_a), static_cast<long long>(k.calls_b),
                ms_text(k.calls_a, k.ms_a, k.runs_a).c_str(), ms_text(k.calls_b, k.ms_b, k.runs_b).c_str(),
                k.ms_b - k.ms_a, k.p, k.op.c_str());
    calls_a += k.calls_a;
    calls_b += k.calls_b;
    ms_a += k.ms_a;
    ms_b += k.ms_b;
  }
  // Each pipeline's kernel time in a run, the sum of its kernels' means.
  std::printf("%-*s %-9s %7lld %7lld %-26.3f %-26.3f %+10.3f\n", w, "total", "", calls_a, calls_b, ms_a, ms_b,
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
