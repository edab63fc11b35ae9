#include "driver/report/rank_test.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace lmc::report {

namespace {

constexpr size_t kMaxExact = 60;

// Twice each pooled value's rank (1-based, ties at their mid-rank): whole numbers.
std::vector<int> doubled_ranks(const std::vector<double>& pooled) {
  std::vector<size_t> order(pooled.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t x, size_t y) { return pooled[x] < pooled[y]; });
  std::vector<int> ranks(pooled.size());
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j < order.size() && pooled[order[j]] == pooled[order[i]]) ++j;
    const auto doubled_mid = static_cast<int>(i + 1 + j);  // (i + 1) + j: twice the mean of ranks i+1..j
    for (size_t k = i; k < j; ++k) ranks[order[k]] = doubled_mid;
    i = j;
  }
  return ranks;
}

// The chance, over every choice of `n` of `ranks`, that their sum lies at least as far
// from its mean as `observed` (sums of doubled ranks).
double exact_p(const std::vector<int>& ranks, size_t n, int observed) {
  const int total = std::accumulate(ranks.begin(), ranks.end(), 0);
  // ways[k][s]: subsets of k of the ranks seen so far summing to s.
  std::vector<std::vector<double>> ways(n + 1, std::vector<double>(static_cast<size_t>(total) + 1, 0.0));
  ways[0][0] = 1;
  for (int r : ranks)
    for (size_t k = n; k >= 1; --k)
      for (int s = total; s >= r; --s) ways[k][static_cast<size_t>(s)] += ways[k - 1][static_cast<size_t>(s - r)];
  const double mean = static_cast<double>(total) * static_cast<double>(n) / static_cast<double>(ranks.size());
  const double far = std::abs(observed - mean) - 1e-9;
  double all = 0, tail = 0;
  for (int s = 0; s <= total; ++s) {
    const double w = ways[n][static_cast<size_t>(s)];
    all += w;
    if (std::abs(s - mean) >= far) tail += w;
  }
  return std::min(1.0, tail / all);
}

// The normal approximation of U with the ties' correction and a continuity correction.
double normal_p(const std::vector<double>& pooled, double na, double nb, double u) {
  std::vector<double> v = pooled;
  std::sort(v.begin(), v.end());
  double ties = 0;
  for (size_t i = 0; i < v.size();) {
    size_t j = i;
    while (j < v.size() && v[j] == v[i]) ++j;
    const auto t = static_cast<double>(j - i);
    ties += t * t * t - t;
    i = j;
  }
  const double n = na + nb;
  const double variance = na * nb / 12.0 * ((n + 1) - ties / (n * (n - 1)));
  if (variance <= 0) return 1;
  const double z = std::max(0.0, std::abs(u - na * nb / 2) - 0.5) / std::sqrt(variance);
  return std::min(1.0, std::erfc(z / std::sqrt(2.0)));
}

double choose(size_t n, size_t k) {
  double c = 1;
  for (size_t i = 1; i <= k; ++i) c = c * static_cast<double>(n - k + i) / static_cast<double>(i);
  return c;
}

}  // namespace

RankTest mann_whitney(const std::vector<double>& a, const std::vector<double>& b) {
  RankTest t;
  if (a.empty() || b.empty()) return t;
  const auto na = static_cast<double>(a.size()), nb = static_cast<double>(b.size());
  for (double x : a)
    for (double y : b) t.u += x > y ? 1.0 : x == y ? 0.5 : 0.0;
  t.smallest_p = std::min(1.0, 2 / choose(a.size() + b.size(), a.size()));
  std::vector<double> pooled = a;
  pooled.insert(pooled.end(), b.begin(), b.end());
  if (pooled.size() > kMaxExact) {
    t.p = normal_p(pooled, na, nb, t.u);
    return t;
  }
  const std::vector<int> ranks = doubled_ranks(pooled);
  // U = R_a - na (na + 1) / 2: the doubled rank sum of a is 2 U + na (na + 1).
  const auto observed = static_cast<int>(std::lround(2 * t.u + na * (na + 1)));
  t.p = exact_p(ranks, a.size(), observed);
  return t;
}

double significance_level(int figures) { return 0.05 / std::max(figures, 1); }

}  // namespace lmc::report
