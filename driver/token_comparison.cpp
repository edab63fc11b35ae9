#include "driver/token_comparison.h"

#include <algorithm>
#include <cmath>

namespace lmc::driver {

namespace {

double mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return v.empty() ? 0 : s / static_cast<double>(v.size());
}

// The mean and its standard error (the sample's standard deviation / sqrt(n)).
Estimate mean_of(const std::vector<double>& v) {
  Estimate e{mean(v), 0};
  if (v.size() < 2) return e;
  double ss = 0;
  for (double x : v) ss += (x - e.value) * (x - e.value);
  double n = static_cast<double>(v.size());
  e.error = std::sqrt(ss / (n - 1) / n);
  return e;
}

double percentile(const std::vector<double>& sorted, double q) {
  double at = q * static_cast<double>(sorted.size() - 1);
  size_t lo = static_cast<size_t>(at);
  size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (at - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

Spread spread_of(std::vector<double> v) {
  if (v.empty()) return {};
  std::sort(v.begin(), v.end());
  return {
      v.front(), percentile(v, 0.01), percentile(v, 0.05), percentile(v, 0.5), percentile(v, 0.95), percentile(v, 0.99),
      v.back()};
}

}  // namespace

LogitsRow::LogitsRow(const float* row, int64_t n) : logits(row), vocab(n), log_sum_exp(0), argmax(0) {
  for (int64_t i = 1; i < n; ++i)
    if (row[i] > row[argmax]) argmax = i;
  double top = row[argmax], sum = 0;
  for (int64_t i = 0; i < n; ++i) sum += std::exp(static_cast<double>(row[i]) - top);
  log_sum_exp = top + std::log(sum);
}

Estimate Perplexity::ppl() const {
  Estimate nll = mean_of(nll_);
  double ppl = std::exp(nll.value);
  return {ppl, ppl * nll.error};  // d exp(x) = exp(x) dx
}

void TokenComparison::add(const LogitsRow& base, const LogitsRow& model, int32_t target) {
  base_ppl_.add(base, target);
  double kld = 0;
  for (int64_t i = 0; i < base.vocab; ++i) {
    double lb = base.log_p(i);
    kld += std::exp(lb) * (lb - model.log_p(i));
  }
  // Rounding can leave a sum of ~1e-17 below zero for identical rows.
  kld_.push_back(std::max(kld, 0.0));
  delta_p_.push_back(std::exp(model.log_p(target)) - std::exp(base.log_p(target)));
  if (base.argmax == model.argmax) ++same_top_;
}

Estimate TokenComparison::ln_ppl_ratio(const Perplexity& model) const {
  const auto& b = base_ppl_.nll();
  const auto& m = model.nll();
  std::vector<double> d(b.size());
  for (size_t i = 0; i < b.size(); ++i) d[i] = m[i] - b[i];
  return mean_of(d);
}

Estimate TokenComparison::kld() const { return mean_of(kld_); }
Spread TokenComparison::kld_spread() const { return spread_of(kld_); }
Estimate TokenComparison::delta_p() const { return mean_of(delta_p_); }
Spread TokenComparison::delta_p_spread() const { return spread_of(delta_p_); }

double TokenComparison::delta_p_rms() const {
  double ss = 0;
  for (double x : delta_p_) ss += x * x;
  return delta_p_.empty() ? 0 : std::sqrt(ss / static_cast<double>(delta_p_.size()));
}

Estimate TokenComparison::same_top() const {
  double n = static_cast<double>(tokens());
  if (n == 0) return {};
  double p = static_cast<double>(same_top_) / n;
  return {p, n > 1 ? std::sqrt(p * (1 - p) / (n - 1)) : 0};
}

}  // namespace lmc::driver
