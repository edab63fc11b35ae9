#include "driver/report/turns_to_tell.h"

#include <algorithm>

#include "driver/report/rank_test.h"

namespace lmc::report {

namespace {

// `turns` values at evenly spaced quantiles of `v` (linear between its sorted values): the
// same spread, at another count.
std::vector<double> at_quantiles(std::vector<double> v, int turns) {
  std::sort(v.begin(), v.end());
  const auto last = static_cast<double>(v.size() - 1);
  std::vector<double> out;
  for (int i = 0; i < turns; ++i) {
    const double at = std::clamp((i + 0.5) / turns * static_cast<double>(v.size()) - 0.5, 0.0, last);
    const auto lo = static_cast<size_t>(at);
    const size_t hi = std::min(lo + 1, v.size() - 1);
    out.push_back(v[lo] + (v[hi] - v[lo]) * (at - static_cast<double>(lo)));
  }
  return out;
}

bool tells(const std::vector<double>& a, const std::vector<double>& b, double level, int turns) {
  return mann_whitney(at_quantiles(a, turns), at_quantiles(b, turns)).p < level;
}

}  // namespace

int fewest_turns(double level) {
  int r = 1;
  while (
      mann_whitney(std::vector<double>(static_cast<size_t>(r), 0.0), std::vector<double>(static_cast<size_t>(r), 1.0))
              .p >= level &&
      r < 30)
    ++r;
  return r;
}

int turns_to_tell(const std::vector<double>& a, const std::vector<double>& b, double level, int least, int most) {
  int lo = std::max(least, fewest_turns(level));
  if (a.empty() || b.empty() || lo > most || !tells(a, b, level, most)) return 0;
  // p falls as turns of the same spread are added: the least count that tells, by bisection.
  int hi = most;
  while (lo < hi) {
    const int mid = lo + (hi - lo) / 2;
    if (tells(a, b, level, mid))
      hi = mid;
    else
      lo = mid + 1;
  }
  return hi;
}

}  // namespace lmc::report
