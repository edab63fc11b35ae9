// Statistics over scored tokens: a model's perplexity with its standard error, and the
// comparison of its next-token distributions with a base model's on the same rows (KL
// divergence, top-1 agreement, the change in the probability of the actual next
// token), the figures llama-perplexity --kl-divergence prints. Computed in double from
// the logits rows; every per-token value is kept, so percentiles are exact.
#pragma once
#include <cstdint>
#include <vector>

namespace lmc::driver {

// A logits row as a distribution: log p(i) = logits[i] - log_sum_exp.
struct LogitsRow {
  LogitsRow(const float* logits, int64_t vocab);
  double log_p(int64_t i) const { return logits[i] - log_sum_exp; }
  const float* logits;
  int64_t vocab;
  double log_sum_exp;
  int64_t argmax;  // the lowest id of the largest logit, as greedy sampling picks
};

// A mean of per-token values with its standard error.
struct Estimate {
  double value = 0, error = 0;
};

class Perplexity {
 public:
  void add(const LogitsRow& row, int32_t target) { nll_.push_back(-row.log_p(target)); }
  int64_t tokens() const { return static_cast<int64_t>(nll_.size()); }
  Estimate ppl() const;  // exp(mean nll), its error propagated from the mean's
  const std::vector<double>& nll() const { return nll_; }

 private:
  std::vector<double> nll_;
};

// Percentiles of a sample (linear between the sorted values).
struct Spread {
  double min = 0, p1 = 0, p5 = 0, median = 0, p95 = 0, p99 = 0, max = 0;
};

class TokenComparison {
 public:
  // One scored row of both models (the same vocabulary).
  void add(const LogitsRow& base, const LogitsRow& model, int32_t target);
  int64_t tokens() const { return static_cast<int64_t>(kld_.size()); }

  const Perplexity& base() const { return base_ppl_; }
  Estimate ln_ppl_ratio(const Perplexity& model) const;  // mean of nll(model) - nll(base)
  Estimate kld() const;            // mean KL(base || model), nats
  Spread kld_spread() const;
  Estimate same_top() const;       // fraction of rows whose argmax agrees
  Estimate delta_p() const;        // mean p_model(target) - p_base(target)
  double delta_p_rms() const;
  Spread delta_p_spread() const;

 private:
  Perplexity base_ppl_;
  std::vector<double> kld_, delta_p_;
  int64_t same_top_ = 0;
};

}  // namespace lmc::driver
