#include "driver/report/speed_figure.h"

#include <algorithm>

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

}  // namespace lmc::report
