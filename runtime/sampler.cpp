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

std::pair<int64_t, double> Sampler::candidates(const float* logits, int64_t vocab, std::span<const int32_t> history) {
  scratch_.assign(logits, logits + vocab);
  for (auto [token, bias] : opts_.logit_bias)
    if (token >= 0 && token < vocab) scratch_[token] += bias;
  if (opts_.repetition_penalty != 1 && !history.empty()) {
    size_t window = std::min(history.size(), static_cast<size_t>(std::max<int64_t>(opts_.repetition_window, 0)));
    std::unordered_set<int32_t> seen(history.end() - window, history.end());
    for (int32_t t : seen)
      if (t >= 0 && t < vocab) {
        float& l = scratch_[t];
        l = l > 0 ? l / opts_.repetition_penalty : l * opts_.repetition_penalty;
      }
  }
  if (opts_.temperature <= 0) return {0, 0.0};

  // Survivors of the top-k cut, kept in a fixed order so a seed reproduces a run.
  auto by_logit = [&](int32_t a, int32_t b) {
    return scratch_[a] > scratch_[b] || (scratch_[a] == scratch_[b] && a < b);
  };
  ids_.resize(vocab);
  std::iota(ids_.begin(), ids_.end(), 0);
  const int64_t k = opts_.top_k > 0 ? std::min(opts_.top_k, vocab) : vocab;
  if (k < vocab) {
    std::nth_element(ids_.begin(), ids_.begin() + k, ids_.end(), by_logit);
    ids_.resize(k);
    std::sort(ids_.begin(), ids_.end(), by_logit);
  }

  const float max_logit = scratch_[*std::min_element(ids_.begin(), ids_.end(), by_logit)];
  // min-p on the distribution before temperature, as llama.cpp: p / p_max = exp(l - l_max).
  if (opts_.min_p > 0) {
    const double floor = std::log(static_cast<double>(opts_.min_p));
    std::erase_if(ids_, [&](int32_t id) { return double(scratch_[id]) - max_logit < floor; });
  }
  const int64_t kept = static_cast<int64_t>(ids_.size());

  // Softmax weights at the temperature (normalised lazily: only ratios matter),
  // written over the logits of the survivors.
  weights_.resize(vocab);
  double sum = 0;
  for (int32_t id : ids_) sum += weights_[id] = std::exp(double(scratch_[id] - max_logit) / opts_.temperature);

  return opts_.top_p < 1 ? nucleus(by_logit, sum, kept) : std::pair{kept, sum};
}

// Moves the smallest set of survivors, by descending probability, whose mass
// reaches top_p to the front of ids_; returns its size and (unnormalised) mass.
// A quickselect on mass instead of a sort: the nucleus of a flat distribution over
// a large vocabulary can hold a good part of it.
template <typename Less>
std::pair<int64_t, double> Sampler::nucleus(Less by_logit, double sum, int64_t k) {
  auto mass = [&](int64_t from, int64_t to) {
    double m = 0;
    for (int64_t i = from; i < to; ++i) m += weights_[ids_[i]];
    return m;
  };
  double need = opts_.top_p * sum, kept = 0;
  int64_t lo = 0, hi = k;  // ids_[0, lo) are in; the boundary lies in [lo, hi)
  while (hi - lo > 64) {
    int64_t mid = lo + (hi - lo) / 2;
    std::nth_element(ids_.begin() + lo, ids_.begin() + mid, ids_.begin() + hi, by_logit);
    double upper = mass(lo, mid);
    if (upper >= need) {
      hi = mid;
    } else {
      need -= upper;
      kept += upper;
      lo = mid;
    }
  }
  std::sort(ids_.begin() + lo, ids_.begin() + hi, by_logit);
  for (int64_t i = lo; i < hi; ++i) {
    double w = weights_[ids_[i]];
    kept += w;
    need -= w;
    if (need <= 0) return {i + 1, kept};
  }
  return {hi, kept};
}

}  // namespace lmc::runtime
