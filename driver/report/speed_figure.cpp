#include "driver/report/speed_figure.h"

#include <algorithm>
#include <cstdio>

#include "driver/report/rank_test.h"
#include "driver/report/turns_to_tell.h"

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

// A difference that would need more turns than this to tell is within noise for any run
// anyone makes: -r 50 of a model's figures already takes minutes.
constexpr int kMostTurns = 50;

// The turns, more than were run, that would decide `f` when these did not: 0 when no
// practical number would (equal medians, or a difference far inside the spread).
int turns_wanted(const SpeedFigure& f, double level) {
  const auto have = static_cast<int>(std::min(f.a.size(), f.b.size()));
  return turns_to_tell(f.a, f.b, level, have + 1, kMostTurns);
}

}  // namespace

double figure_level(const PipelineComparison& c) { return significance_level(static_cast<int>(c.speed.size())); }

std::string figure_verdict(const SpeedFigure& f, double level) {
  if (mann_whitney(f.a, f.b).p < level) return speed_ratio(f) > 1 ? "B faster" : "B slower";
  const int want = turns_wanted(f, level);
  return want ? "inconclusive: run with -r " + std::to_string(want) : "within noise";
}

std::string speed_verdict(const PipelineComparison& c) {
  if (c.speed.empty()) return "";
  const double level = figure_level(c);
  const std::string how = "Mann-Whitney U over the turns of each, p < " + number("%.3g", level) + ": 0.05 over " +
                          std::to_string(c.speed.size()) + (c.speed.size() == 1 ? " figure" : " figures");
  std::string differ, undecided;
  bool can_tell = false;
  int want = 0;
  for (const auto& f : c.speed) {
    const RankTest t = mann_whitney(f.a, f.b);
    const std::string figure = f.test + " B/A " + number("%.3f", speed_ratio(f)) + " (p " + number("%.2g", t.p) + ")";
    can_tell = can_tell || t.smallest_p < level;
    if (t.p < level) {
      differ += (differ.empty() ? "" : ", ") + figure;
    } else if (const int w = turns_wanted(f, level)) {
      undecided += (undecided.empty() ? "" : ", ") + figure;
      want = std::max(want, w);
    }
  }
  if (!differ.empty()) return "the pipelines differ beyond noise: " + differ + " (" + how + ")";
  if (!can_tell)
    return "inconclusive: run with -r " + std::to_string(std::max(want, fewest_turns(level))) + ": a rank test over " +
           std::to_string(c.speed.front().a.size()) + " turn(s) of each cannot reach p < " + number("%.3g", level);
  if (want)
    return "inconclusive: run with -r " + std::to_string(want) + ": " + undecided +
           " would need that many turns of each to tell from the spread of the turns (" + how + ")";
  return "the pipelines do not differ beyond noise: no figure's p is under " + number("%.3g", level) + " (" + how + ")";
}

}  // namespace lmc::report
