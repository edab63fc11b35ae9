#include "runtime/sampler.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <unordered_map>

namespace lmc::runtime {

namespace {

// A double in [0, 1) from the top 53 bits: the same on every standard library,
// unlike std::uniform_real_distribution.
double uniform(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

}  // namespace

Sampler::Sampler(SamplerOptions opts) : opts_(std::move(opts)), rng_(opts_.seed), mu_(2.0 * opts_.mirostat.tau) {}

int32_t Sampler::sample(const float* logits, int64_t vocab, std::span<const int32_t> history) {
  vocab = pickable(vocab);
  auto [keep, mass] = candidates(logits, vocab, history);
  kept_ = keep;
  mass_ = mass;
  const int32_t token = draw(keep, mass, -1);
  steer(token, mass);
  return token;
}

int32_t Sampler::verify(const float* logits, int64_t vocab, std::span<const int32_t> history, int32_t draft) {
  vocab = pickable(vocab);
  auto [keep, mass] = candidates(logits, vocab, history);
  kept_ = keep;
  mass_ = mass;
  double w = 0;
  for (int64_t i = 0; i < keep; ++i)
    if (ids_[i] == draft) w = weights_[draft];
  int32_t token = ids_[0];
  if (keep > 1) token = uniform(rng_) * mass < w ? draft : draw(keep, mass - w, draft);
  steer(token, mass);
  return token;
}

int64_t Sampler::pickable(int64_t vocab) const {
  return opts_.vocab_limit > 0 ? std::min(vocab, opts_.vocab_limit) : vocab;
}

// When rounding leaves r past the last weight, the last candidate that has one: a token a
// constraint masked (-inf, weight 0) is never drawn. A single candidate is taken without
// a draw, so that greedy leaves the generator as it found it.
int32_t Sampler::draw(int64_t keep, double mass, int32_t skip) {
  if (keep == 1) return ids_[0];
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

void Sampler::penalize(std::span<const int32_t> history) {
  const bool any = opts_.repetition_penalty != 1 || opts_.frequency_penalty != 0 || opts_.presence_penalty != 0;
  if (!any || history.empty()) return;
  size_t window = opts_.repetition_window < 0 ? history.size()
                                              : std::min(history.size(), static_cast<size_t>(opts_.repetition_window));
  std::unordered_map<int32_t, int64_t> counts;
  for (auto t = history.end() - static_cast<std::ptrdiff_t>(window); t != history.end(); ++t) ++counts[*t];
  for (auto [t, n] : counts) {
    if (t < 0 || static_cast<size_t>(t) >= picked_from_) continue;
    float& l = scratch_[t];
    // Divided, a negative logit would grow more likely: it is multiplied instead.
    l = l > 0 ? l / opts_.repetition_penalty : l * opts_.repetition_penalty;
    l -= static_cast<float>(n) * opts_.frequency_penalty + opts_.presence_penalty;
  }
}

void Sampler::penalize_repeats(std::span<const int32_t> history) {
  for (auto [t, penalty] : dry_penalties(history, opts_.dry))
    if (t >= 0 && static_cast<size_t>(t) < picked_from_) scratch_[t] -= penalty;
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
  ids_.resize(vocab);
  std::iota(ids_.begin(), ids_.end(), 0);
  weights_.resize(vocab);
  scale_ = 1;
  if (opts_.mirostat.version != 0) return mirostat(temperature(vocab));
  int64_t keep = vocab;
  for (SamplerStage stage : opts_.samplers) keep = apply(stage, keep, history);
  // Softmax weights at the temperature, normalised lazily: only ratios matter.
  return {keep, weigh(keep, scale_)};
}

int64_t Sampler::apply(SamplerStage stage, int64_t keep, std::span<const int32_t> history) {
  switch (stage) {
    case SamplerStage::kPenalties:
      penalize(history);
      return keep;
    case SamplerStage::kDry:
      penalize_repeats(history);
      return keep;
    case SamplerStage::kTopNSigma:
      return top_n_sigma(keep);
    case SamplerStage::kTopK:
      return top_k(keep, opts_.top_k);
    case SamplerStage::kTypicalP:
      return opts_.typical_p < 1 ? typical(keep) : keep;
    case SamplerStage::kTopP:
      return opts_.top_p < 1 ? at_least_min_keep(nucleus(weigh(keep, scale_), keep), keep) : keep;
    case SamplerStage::kMinP:
      return min_p(keep);
    case SamplerStage::kXtc:
      return xtc(keep);
    case SamplerStage::kTemperature:
      return temperature(keep);
  }
  return keep;
}

// The k largest, sorted, so a seed reproduces a run; k <= 0: no cut.
int64_t Sampler::top_k(int64_t keep, int64_t k) {
  if (k <= 0 || k >= keep) return keep;
  auto less = [this](int32_t a, int32_t b) { return by_logit(a, b); };
  std::nth_element(ids_.begin(), ids_.begin() + k, ids_.begin() + keep, less);
  std::sort(ids_.begin(), ids_.begin() + k, less);
  return k;
}

// Drops the candidates below max - n sigma, over the finite logits: a cut on logits, the
// same at any temperature.
int64_t Sampler::top_n_sigma(int64_t keep) {
  const double n = opts_.top_n_sigma;
  if (n <= 0 || keep <= 1) return keep;
  double max = -std::numeric_limits<double>::infinity(), sum = 0;
  int64_t finite = 0;
  for (int64_t i = 0; i < keep; ++i) {
    const double l = scratch_[ids_[i]];
    if (std::isinf(l) && l < 0) continue;
    max = std::max(max, l);
    sum += l;
    ++finite;
  }
  if (finite == 0) return keep;
  const double mean = sum / double(finite);
  double squares = 0;
  for (int64_t i = 0; i < keep; ++i) {
    const double l = scratch_[ids_[i]];
    if (!(std::isinf(l) && l < 0)) squares += (l - mean) * (l - mean);
  }
  const double floor = max - n * std::sqrt(squares / double(finite));
  return std::remove_if(ids_.begin(), ids_.begin() + keep, [&](int32_t id) { return scratch_[id] < floor; }) -
         ids_.begin();
}

// A cut that left fewer than min_keep of the `keep` candidates (its survivors the most
// likely, ids_ still a permutation) becomes the min_keep most likely.
int64_t Sampler::at_least_min_keep(int64_t cut, int64_t keep) {
  const int64_t floor = std::min(opts_.min_keep, keep);
  return cut >= floor ? cut : top_k(keep, floor);
}

// p / p_max = exp((l - l_max) / t) >= min_p; the most likely candidate always stays.
int64_t Sampler::min_p(int64_t keep) {
  if (opts_.min_p <= 0) return keep;
  const float top = max_logit(keep);
  const double floor = std::log(static_cast<double>(opts_.min_p)) * scale_;
  auto below = [&](int32_t id) { return double(scratch_[id]) - top < floor; };
  if (keep - std::count_if(ids_.begin(), ids_.begin() + keep, below) < opts_.min_keep)
    return at_least_min_keep(0, keep);
  return std::remove_if(ids_.begin(), ids_.begin() + keep, below) - ids_.begin();
}

// Exclude Top Choices: when its draw falls within xtc_probability, every candidate at
// least xtc_threshold likely goes but the least likely of them, if two or more are, and
// at least min_keep candidates stay.
int64_t Sampler::xtc(int64_t keep) {
  if (opts_.xtc_probability <= 0 || opts_.xtc_threshold > 0.5f || keep < 2) return keep;
  if (uniform(rng_) > opts_.xtc_probability) return keep;
  const double sum = weigh(keep, scale_);
  auto likely = [&](int32_t id) { return weights_[id] / sum >= opts_.xtc_threshold; };
  int64_t above = 0;
  int32_t least = -1;
  for (int64_t i = 0; i < keep; ++i) {
    const int32_t id = ids_[i];
    if (!likely(id)) continue;
    ++above;
    if (least < 0 || by_logit(least, id)) least = id;
  }
  if (above < 2 || keep - (above - 1) < opts_.min_keep) return keep;
  return std::remove_if(ids_.begin(), ids_.begin() + keep, [&](int32_t id) { return id != least && likely(id); }) -
         ids_.begin();
}

// Divides the logits the later stages read by t; t <= 0 keeps the most likely candidate.
int64_t Sampler::temperature(int64_t keep) {
  if (opts_.temperature <= 0) return most_likely(keep);
  const double t = opts_.dynatemp_range > 0 ? dynamic_temperature(keep) : opts_.temperature;
  if (t <= 0) return most_likely(keep);
  scale_ *= t;
  return keep;
}

// Dynamic temperature (llama.cpp's dynatemp): a certain distribution is sampled cooler, an
// uncertain one hotter. The candidates' entropy over its largest possible value, log(keep),
// raised to dynatemp_exponent, places t within temperature ± dynatemp_range (at least 0).
double Sampler::dynamic_temperature(int64_t keep) {
  const double t = opts_.temperature, range = opts_.dynatemp_range;
  if (keep <= 1) return t;
  const double sum = weigh(keep, scale_);
  double entropy = 0;
  for (int64_t i = 0; i < keep; ++i) {
    const double p = weights_[ids_[i]] / sum;
    if (p > 0) entropy -= p * std::log(p);
  }
  const double lo = std::max(0.0, t - range), hi = t + range;
  return lo + (hi - lo) * std::pow(entropy / std::log(double(keep)), double(opts_.dynatemp_exponent));
}

int64_t Sampler::most_likely(int64_t keep) {
  auto best =
      std::min_element(ids_.begin(), ids_.begin() + keep, [this](int32_t a, int32_t b) { return by_logit(a, b); });
  std::iter_swap(ids_.begin(), best);
  return 1;
}

// Mirostat 1 estimates the Zipf exponent s of the 100 most likely candidates and keeps the
// k = (e 2^mu / (1 - N^-e))^(1/s) most likely (e = s - 1, N the vocabulary); Mirostat 2
// keeps the candidates whose surprise -log2 p is at most mu (at least the most likely).
std::pair<int64_t, double> Sampler::mirostat(int64_t keep) {
  if (keep == 1) return {1, weigh(1, scale_)};
  const double sum = weigh(keep, scale_);
  if (opts_.mirostat.version == 1) {
    const int64_t m = std::min<int64_t>(100, keep);
    std::partial_sort(ids_.begin(), ids_.begin() + m, ids_.begin() + keep,
                      [this](int32_t a, int32_t b) { return by_logit(a, b); });
    double t_b = 0, t_t = 0;
    for (int64_t i = 0; i + 1 < m; ++i) {
      const double t = std::log(double(i + 2) / double(i + 1));
      t_b += t * std::log(weights_[ids_[i]] / weights_[ids_[i + 1]]);
      t_t += t * t;
    }
    const double s = t_b / t_t, e = s - 1;
    const double k = std::pow(e * std::pow(2.0, mu_) / (1 - std::pow(double(picked_from_), -e)), 1 / s);
    const int64_t cut = std::isnan(k) ? 1 : static_cast<int64_t>(std::clamp(k, 1.0, double(keep)));
    keep = top_k(keep, cut);
  } else {
    const double floor = std::exp2(-mu_) * sum;  // -log2(p) <= mu
    auto end = std::remove_if(ids_.begin(), ids_.begin() + keep, [&](int32_t id) { return weights_[id] < floor; });
    keep = end == ids_.begin() ? most_likely(keep) : end - ids_.begin();
  }
  return {keep, weigh(keep, scale_)};
}

void Sampler::steer(int32_t token, double mass) {
  if (opts_.mirostat.version == 0) return;
  const double surprise = -std::log2(weights_[token] / mass);
  mu_ -= opts_.mirostat.eta * (surprise - opts_.mirostat.tau);
}

// Locally typical sampling: the survivors whose surprise (-log p) is nearest the
// distribution's entropy, in that order, until their mass exceeds typical_p (at least one,
// and min_keep).
int64_t Sampler::typical(int64_t keep) {
  const double sum = weigh(keep, scale_);
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
    if (mass > opts_.typical_p && i + 1 >= opts_.min_keep) return i + 1;
  }
  return keep;
}

// Moves the smallest set of survivors, by descending probability, whose mass
// reaches top_p to the front of ids_; returns its size.
// A quickselect on mass instead of a sort: the nucleus of a flat distribution over
// a large vocabulary can hold a good part of it.
int64_t Sampler::nucleus(double sum, int64_t k) {
  auto by_logit = [this](int32_t a, int32_t b) { return this->by_logit(a, b); };
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
