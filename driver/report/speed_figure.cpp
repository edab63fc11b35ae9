#include "driver/report/speed_figure.h"

#include <algorithm>
#include <cstdio>

#include "driver/report/rank_test.h"

namespace lmc::report {

RunSpread run_spread(const std::vector<double>& tokens_per_second) {
  if (tokens_per_second.empty()) return {};
  std::vector<double> v = tokens_per_second;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  const double median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  return {median, v.front(), v.back()};
}

double speed_ratio(const SpeedFigure& f) {
  const double a = run_spread(f.a).median;
  return a > 0 ? run_spread(f.b).median / a : 0;
}

namespace {

std::string number(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

// The fewest turns of each pipeline whose rank test can reach p < level.
int turns_needed(double level) {
  int r = 1;
  while (
      mann_whitney(std::vector<double>(static_cast<size_t>(r), 0.0), std::vector<double>(static_cast<size_t>(r), 1.0))
              .p >= level &&
      r < 30)
    ++r;
  return r;
}

}  // namespace

double figure_level(const PipelineComparison& c) { return significance_level(static_cast<int>(c.speed.size())); }

std::string figure_verdict(const SpeedFigure& f, double level) {
  if (mann_whitney(f.a, f.b).p >= level) return "within noise";
  return speed_ratio(f) > 1 ? "B faster" : "B slower";
}

std::string speed_verdict(const PipelineComparison& c) {
  if (c.speed.empty()) return "";
  const double level = figure_level(c);
  const std::string how = "Mann-Whitney U over the turns of each, p < " + number("%.3g", level) + ": 0.05 over " +
                          std::to_string(c.speed.size()) + (c.speed.size() == 1 ? " figure" : " figures");
  std::string differ;
  bool can_tell = false;
  for (const auto& f : c.speed) {
    const RankTest t = mann_whitney(f.a, f.b);
    can_tell = can_tell || t.smallest_p < level;
    if (t.p < level)
      differ += (differ.empty() ? "" : ", ") + f.test + " B/A " + number("%.3f", speed_ratio(f)) + " (p " +
                number("%.2g", t.p) + ")";
  }
  if (!differ.empty()) return "the pipelines differ beyond noise: " + differ + " (" + how + ")";
  if (!can_tell)
    return "too few turns to tell: a rank test over " + std::to_string(c.speed.front().a.size()) +
           " turn(s) of each cannot reach p < " + number("%.3g", level) + " (give -r " +
           std::to_string(turns_needed(level)) + " or more)";
  return "the pipelines do not differ beyond noise: no figure's p is under " + number("%.3g", level) + " (" + how + ")";
}

}  // namespace lmc::report
