#include "runtime/sampler.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_set>

namespace lmc::runtime {

namespace {

int32_t argmax(const float* x, int64_t n) {
  int64_t best = 0;
  for (int64_t i = 1; i < n; ++i)
    if (x[i] > x[best]) best = i;
  return static_cast<int32_t>(best);
}

// A double in [0, 1) from the top 53 bits: the same on every standard library,
// unlike std::uniform_real_distribution.
double uniform(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

}  // namespace

Sampler::Sampler(SamplerOptions opts) : opts_(opts), rng_(opts.seed) {}

int32_t Sampler::sample(const float* logits, int64_t vocab, std::span<const int32_t> history) {
  scratch_.assign(logits, logits + vocab);
  if (opts_.repetition_penalty != 1 && !history.empty()) {
    size_t window = std::min(history.size(), static_cast<size_t>(std::max<int64_t>(opts_.repetition_window, 0)));
    std::unordered_set<int32_t> seen(history.end() - window, history.end());
    for (int32_t t : seen)
      if (t >= 0 && t < vocab) {
        float& l = scratch_[t];
        l = l > 0 ? l / opts_.repetition_penalty : l * opts_.repetition_penalty;
      }
  }
  if (opts_.temperature <= 0) return argmax(scratch_.data(), vocab);

  // Candidates by descending logit (ties: lower id first), cut to the top k.
  ids_.resize(vocab);
  std::iota(ids_.begin(), ids_.end(), 0);
  auto by_logit = [&](int32_t a, int32_t b) { return scratch_[a] > scratch_[b] || (scratch_[a] == scratch_[b] && a < b); };
  int64_t k = opts_.top_k > 0 ? std::min(opts_.top_k, vocab) : vocab;
  std::partial_sort(ids_.begin(), ids_.begin() + k, ids_.end(), by_logit);
  ids_.resize(k);

  // Softmax at the temperature over the survivors, then the smallest prefix whose mass reaches top_p.
  std::vector<double> p(k);
  double max_logit = scratch_[ids_[0]], sum = 0;
  for (int64_t i = 0; i < k; ++i) sum += p[i] = std::exp((scratch_[ids_[i]] - max_logit) / opts_.temperature);
  int64_t keep = k;
  if (opts_.top_p < 1) {
    double mass = 0;
    for (keep = 0; keep < k;) {
      mass += p[keep++] / sum;
      if (mass >= opts_.top_p) break;
    }
  }
  double total = std::accumulate(p.begin(), p.begin() + keep, 0.0);
  double r = uniform(rng_) * total;
  for (int64_t i = 0; i < keep; ++i) {
    r -= p[i];
    if (r < 0) return ids_[i];
  }
  return ids_[keep - 1];
}

}  // namespace lmc::runtime
