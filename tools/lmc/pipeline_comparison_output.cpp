#include "tools/lmc/pipeline_comparison_output.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "driver/report/kernel_time_rows.h"
#include "driver/report/speed_figure.h"

namespace lmc::tools {

namespace {

std::string spread_text(const std::vector<double>& runs) {
  const report::RunSpread s = report::run_spread(runs);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%.2f (%.2f-%.2f)", s.median, s.min, s.max);
  return buf;
}

std::string ms_text(int64_t calls, double ms) {
  if (!calls) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", ms);
  return buf;
}

void print_agreement(const report::PipelineComparison& c) {
  std::printf(
      "agreement: %s: the first step's logits (%lld prompt rows) of B against A: max_abs=%.4g max_rel=%.4g "
      "cosine=%.6f tolerance %g\n",
      c.agree ? "agree" : "disagree", static_cast<long long>(c.agreement_tokens), c.max_abs, c.max_rel, c.cosine,
      c.tolerance);
}

void print_speed(const report::PipelineComparison& c) {
  std::printf("\n%-12s %-28s %-28s %s\n", "test", "A tok/s median (min-max)", "B tok/s median (min-max)", "B/A");
  for (const auto& f : c.speed)
    std::printf("%-12s %-28s %-28s %.3f\n", f.test.c_str(), spread_text(f.a).c_str(), spread_text(f.b).c_str(),
                report::speed_ratio(f));
}

void print_kernels(const report::PipelineComparison& c) {
  size_t width = 6;
  for (const auto& k : c.kernels) width = std::max(width, k.symbol.size());
  const int w = static_cast<int>(width);
  std::printf("\nkernels: %s\n%-*s %-9s %7s %7s %10s %10s %10s  %s\n", c.kernel_note.c_str(), w, "kernel", "in",
              "calls A", "calls B", "ms A", "ms B", "B-A ms", "op");
  for (const auto& k : c.kernels)
    std::printf("%-*s %-9s %7lld %7lld %10s %10s %+10.3f  %s\n", w, k.symbol.c_str(), report::kernel_presence(k),
                static_cast<long long>(k.calls_a), static_cast<long long>(k.calls_b),
                ms_text(k.calls_a, k.ms_a).c_str(), ms_text(k.calls_b, k.ms_b).c_str(), k.ms_b - k.ms_a, k.op.c_str());
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
    tests.push_back(
        {{"test", f.test}, {"a", spread_json(f.a)}, {"b", spread_json(f.b)}, {"ratio", report::speed_ratio(f)}});
  for (const auto& k : c.kernels)
    kernels.push_back({{"symbol", k.symbol},
                       {"op", k.op},
                       {"in", report::kernel_presence(k)},
                       {"calls_a", k.calls_a},
                       {"calls_b", k.calls_b},
                       {"ms_a", k.ms_a},
                       {"ms_b", k.ms_b},
                       {"diff_ms", k.ms_b - k.ms_a}});
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
                        {"kernels", kernels},
                        {"kernel_note", c.kernel_note}};
  return out.dump(2) + "\n";
}

}  // namespace lmc::tools
