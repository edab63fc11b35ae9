#include "runtime/sampler.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <unordered_map>

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
  vocab = pickable(vocab);
  auto [keep, mass] = candidates(logits, vocab, history);
  if (opts_.temperature <= 0) return argmax(scratch_.data(), vocab);
  return draw(keep, mass, -1);
}

int32_t Sampler::verify(const float* logits, int64_t vocab, std::span<const int32_t> history, int32_t draft) {
  vocab = pickable(vocab);
  auto [keep, mass] = candidates(logits, vocab, history);
  if (opts_.temperature <= 0) return argmax(scratch_.data(), vocab);
  double w = 0;
  for (int64_t i = 0; i < keep; ++i)
    if (ids_[i] == draft) w = weights_[draft];
  if (uniform(rng_) * mass < w) return draft;
  return draw(keep, mass - w, draft);
}

int64_t Sampler::pickable(int64_t vocab) const {
  return opts_.vocab_limit > 0 ? std::min(vocab, opts_.vocab_limit) : vocab;
}

// When rounding leaves r past the last weight, the last candidate that has one: a token a
// constraint masked (-inf, weight 0) is never drawn.
int32_t Sampler::draw(int64_t keep, double mass, int32_t skip) {
  double r = uniform(rng_) * mass;
  int32_t last = ids_[0];
  for (int64_t i = 0; i < keep; ++i) {
    const int32_t id = ids_[i];
    if (id == skip || weights_[id] == 0) continue;
    last = id;
    r -= weights_[id];
    if (r < 0) return id;
  }
  return last;
}

void Sampler::penalize(int64_t vocab, std::span<const int32_t> history) {
  const bool any = opts_.repetition_penalty != 1 || opts_.frequency_penalty != 0 || opts_.presence_penalty != 0;
  if (!any || history.empty()) return;
  size_t window = opts_.repetition_window < 0 ? history.size()
                                              : std::min(history.size(), static_cast<size_t>(opts_.repetition_window));
  std::unordered_map<int32_t, int64_t> counts;
  for (auto t = history.end() - static_cast<std::ptrdiff_t>(window); t != history.end(); ++t) ++counts[*t];
  for (auto [t, n] : counts) {
    if (t < 0 || t >= vocab) continue;
    float& l = scratch_[t];
    // Divided, a negative logit would grow more likely: it is multiplied instead.
    l = l > 0 ? l / opts_.repetition_penalty : l * opts_.repetition_penalty;
    l -= static_cast<float>(n) * opts_.frequency_penalty + opts_.presence_penalty;
  }
}

float Sampler::max_logit(int64_t keep) const {
  float m = scratch_[ids_[0]];
  for (int64_t i = 1; i < keep; ++i) m = std::max(m, scratch_[ids_[i]]);
  return m;
}

double Sampler::weigh(int64_t keep, double t) {
  const float max_logit = this->max_logit(keep);
  double sum = 0;
  for (int64_t i = 0; i < keep; ++i) sum += weights_[ids_[i]] = std::exp(double(scratch_[ids_[i]] - max_logit) / t);
  return sum;
}

std::pair<int64_t, double> Sampler::candidates(const float* logits, int64_t vocab, std::span<const int32_t> history) {
  scratch_.assign(logits, logits + vocab);
  picked_from_ = static_cast<size_t>(vocab);
  for (auto [token, bias] : opts_.logit_bias)
    if (token >= 0 && token < vocab) scratch_[token] += bias;
  penalize(vocab, history);
  if (opts_.temperature <= 0) return {0, 0.0};

  // Survivors of the top-k cut, kept in a fixed order so a seed reproduces a run.
  auto by_logit = [&](int32_t a, int32_t b) {
    return scratch_[a] > scratch_[b] || (scratch_[a] == scratch_[b] && a < b);
  };
  ids_.resize(vocab);
  std::iota(ids_.begin(), ids_.end(), 0);
  int64_t keep = opts_.top_k > 0 ? std::min(opts_.top_k, vocab) : vocab;
  if (keep < vocab) {
    std::nth_element(ids_.begin(), ids_.begin() + keep, ids_.end(), by_logit);
    ids_.resize(keep);
    std::sort(ids_.begin(), ids_.end(), by_logit);
  }
  weights_.resize(vocab);
  // The cuts read the survivors' distribution at temperature 1, each after the one before.
  if (opts_.typical_p < 1) keep = typical(keep);
  if (opts_.top_p < 1) keep = nucleus(by_logit, weigh(keep, 1), keep);
  if (opts_.min_p > 0) {
    // p / p_max = exp(l - l_max) >= min_p; the most likely survivor always stays.
    const float top = max_logit(keep);
    const double floor = std::log(static_cast<double>(opts_.min_p));
    auto end = std::remove_if(ids_.begin(), ids_.begin() + keep,
                              [&](int32_t id) { return double(scratch_[id]) - top < floor; });
    keep = end - ids_.begin();
  }
  // Softmax weights at the temperature, normalised lazily: only ratios matter.
  return {keep, weigh(keep, opts_.temperature)};
}

// Locally typical sampling: the survivors whose surprise (-log p) is nearest the
// distribution's entropy, in that order, until their mass exceeds typical_p (at least one).
int64_t Sampler::typical(int64_t keep) {
  const double sum = weigh(keep, 1);
  double entropy = 0;
  for (int64_t i = 0; i < keep; ++i) {
    double p = weights_[ids_[i]] / sum;
    if (p > 0) entropy -= p * std::log(p);
  }
  auto surprise_gap = [&](int32_t id) {
    double p = weights_[id] / sum;
    return p > 0 ? std::fabs(-std::log(p) - entropy) : std::numeric_limits<double>::infinity();
  };
  std::stable_sort(ids_.begin(), ids_.begin() + keep,
                   [&](int32_t a, int32_t b) { return surprise_gap(a) < surprise_gap(b); });
  double mass = 0;
  for (int64_t i = 0; i < keep; ++i) {
    mass += weights_[ids_[i]] / sum;
    if (mass > opts_.typical_p) return i + 1;
  }
  return keep;
}

// Moves the smallest set of survivors, by descending probability, whose mass
// reaches top_p to the front of ids_; returns its size.
// A quickselect on mass instead of a sort: the nucleus of a flat distribution over
// a large vocabulary can hold a good part of it.
template <typename Less>
int64_t Sampler::nucleus(Less by_logit, double sum, int64_t k) {
  auto mass = [&](int64_t from, int64_t to) {
    double m = 0;
    for (int64_t i = from; i < to; ++i) m += weights_[ids_[i]];
    return m;
  };
  double need = opts_.top_p * sum;
  int64_t lo = 0, hi = k;  // ids_[0, lo) are in; the boundary lies in [lo, hi)
  while (hi - lo > 64) {
    int64_t mid = lo + (hi - lo) / 2;
    std::nth_element(ids_.begin() + lo, ids_.begin() + mid, ids_.begin() + hi, by_logit);
    double upper = mass(lo, mid);
    if (upper >= need) {
      hi = mid;
    } else {
      need -= upper;
      lo = mid;
    }
  }
  std::sort(ids_.begin() + lo, ids_.begin() + hi, by_logit);
  for (int64_t i = lo; i < hi; ++i) {
    need -= weights_[ids_[i]];
    if (need <= 0) return i + 1;
  }
  return hi;
}

}  // namespace lmc::runtime
