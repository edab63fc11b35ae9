// The samplers llama.cpp added to its chain (top-n-sigma, XTC, DRY in the sampler,
// Mirostat 1 and 2) and the `samplers` order, each against its formula written out here.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "runtime/sampler.h"

namespace lmc::runtime {
namespace {

constexpr int kDraws = 6000;

std::map<int32_t, double> frequencies(Sampler& s, const std::vector<float>& l, std::span<const int32_t> history = {}) {
  std::map<int32_t, int> h;
  for (int i = 0; i < kDraws; ++i) ++h[s.sample(l.data(), static_cast<int64_t>(l.size()), history)];
  std::map<int32_t, double> f;
  for (auto [t, n] : h) f[t] = n / double(kDraws);
  return f;
}

// softmax(l / t) over `kept`.
std::map<int32_t, double> softmax(const std::vector<float>& l, const std::set<int32_t>& kept, double t = 1) {
  double sum = 0;
  for (int32_t id : kept) sum += std::exp(l[size_t(id)] / t);
  std::map<int32_t, double> p;
  for (int32_t id : kept) p[id] = std::exp(l[size_t(id)] / t) / sum;
  return p;
}

void expect_distribution(const std::map<int32_t, double>& got, const std::map<int32_t, double>& want,
                         const char* what) {
  std::set<int32_t> got_ids, want_ids;
  for (auto [t, f] : got) got_ids.insert(t);
  for (auto [t, p] : want)
    if (p > 0) want_ids.insert(t);
  EXPECT_EQ(got_ids, want_ids) << what;
  for (auto [t, p] : want) EXPECT_NEAR(got.count(t) ? got.at(t) : 0.0, p, 0.025) << what << ", token " << t;
}

SamplerOptions at_temperature(float t, uint64_t seed = 1) {
  SamplerOptions o;
  o.temperature = t;
  o.seed = seed;
  return o;
}

std::set<int32_t> all_ids(size_t n) {
  std::set<int32_t> s;
  for (size_t i = 0; i < n; ++i) s.insert(int32_t(i));
  return s;
}

TEST(SamplerChain, TopNSigmaKeepsTheLogitsWithinNDeviationsOfTheLargest) {
  const std::vector<float> l{3.0f, 2.8f, 1.0f, 0.5f, -2.0f, 2.0f, -INFINITY};
  for (float n : {0.5f, 1.0f, 1.5f}) {
    double sum = 0, squares = 0, max = -1e9;
    int finite = 0;
    for (float x : l)
      if (std::isfinite(x)) sum += x, max = std::max(max, double(x)), ++finite;
    const double mean = sum / finite;
    for (float x : l)
      if (std::isfinite(x)) squares += (x - mean) * (x - mean);
    std::set<int32_t> kept;
    for (size_t i = 0; i < l.size(); ++i)
      if (l[i] >= max - n * std::sqrt(squares / finite)) kept.insert(int32_t(i));
    SamplerOptions o = at_temperature(1.3f);
    o.top_n_sigma = n;
    Sampler s(o);
    expect_distribution(frequencies(s, l), softmax(l, kept, 1.3), "top-n-sigma");
  }
  SamplerOptions off = at_temperature(1);
  off.top_n_sigma = -1;
  Sampler s(off);
  EXPECT_EQ(frequencies(s, l).size(), 6u);
}

// XTC at probability 1: the candidates at least `threshold` likely go but the least likely
// of them, when two or more are and min_keep stay.
std::set<int32_t> xtc_survivors(const std::vector<double>& p, double threshold, size_t min_keep) {
  std::vector<int32_t> above;
  std::set<int32_t> kept = all_ids(p.size());
  for (size_t i = 0; i < p.size(); ++i)
    if (p[i] >= threshold) above.push_back(int32_t(i));
  if (above.size() < 2 || p.size() - (above.size() - 1) < min_keep) return kept;
  auto least = *std::min_element(above.begin(), above.end(), [&](int32_t a, int32_t b) { return p[a] < p[b]; });
  for (int32_t id : above)
    if (id != least) kept.erase(id);
  return kept;
}

TEST(SamplerChain, XtcDropsTheTopChoicesButTheLeastOfThem) {
  const std::vector<double> p{0.3, 0.05, 0.4, 0.1, 0.15};
  std::vector<float> l;
  for (double x : p) l.push_back(float(std::log(x)));
  struct Case {
    double threshold;
    int64_t min_keep;
  };
  for (Case c : {Case{0.09, 0}, Case{0.2, 0}, Case{0.35, 0}, Case{0.09, 3}, Case{0.09, 2}}) {
    SamplerOptions o = at_temperature(1);
    o.xtc_probability = 1;
    o.xtc_threshold = float(c.threshold);
    o.min_keep = c.min_keep;
    Sampler s(o);
    expect_distribution(frequencies(s, l), softmax(l, xtc_survivors(p, c.threshold, size_t(c.min_keep))), "xtc");
  }
  SamplerOptions above_half = at_temperature(1);
  above_half.xtc_probability = 1;
  above_half.xtc_threshold = 0.6f;  // over 0.5: off
  Sampler s(above_half);
  expect_distribution(frequencies(s, l), softmax(l, all_ids(5)), "xtc off");
}

// min_keep: top-p and min-p keep at least that many of the most likely, typical-p that
// many of the nearest the entropy (llama.cpp's `min_keep`).
TEST(SamplerChain, MinKeepHoldsTopPMinPAndTypicalP) {
  const std::vector<double> p{0.05, 0.5, 0.1, 0.2, 0.15};
  std::vector<float> l;
  for (double x : p) l.push_back(float(std::log(x)));
  auto cut = [&](auto set, int64_t min_keep) {
    SamplerOptions o = at_temperature(1);
    set(o);
    o.min_keep = min_keep;
    Sampler s(o);
    return frequencies(s, l);
  };
  auto top_p = [](SamplerOptions& o) { o.top_p = 0.5f; };  // the mass of token 1 alone
  expect_distribution(cut(top_p, 0), softmax(l, {1}), "top-p");
  expect_distribution(cut(top_p, 3), softmax(l, {1, 3, 4}), "top-p, min_keep 3");
  auto min_p = [](SamplerOptions& o) { o.min_p = 0.5f; };  // p >= 0.25
  expect_distribution(cut(min_p, 0), softmax(l, {1}), "min-p");
  expect_distribution(cut(min_p, 2), softmax(l, {1, 3}), "min-p, min_keep 2");
  expect_distribution(cut(min_p, 9), softmax(l, all_ids(5)), "min-p, min_keep past the vocabulary");
  // Typical: the order by |-log p - H| with H the entropy, cut once the mass passes 0.1.
  double entropy = 0;
  for (double x : p) entropy -= x * std::log(x);
  std::vector<int32_t> order{0, 1, 2, 3, 4};
  std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
    return std::fabs(-std::log(p[size_t(a)]) - entropy) < std::fabs(-std::log(p[size_t(b)]) - entropy);
  });
  auto typical = [](SamplerOptions& o) { o.typical_p = 0.1f; };
  expect_distribution(cut(typical, 0), softmax(l, {order[0]}), "typical-p");
  expect_distribution(cut(typical, 3), softmax(l, {order[0], order[1], order[2]}), "typical-p, min_keep 3");
}

// Its own draw decides: at probability q the result mixes the cut and the uncut.
TEST(SamplerChain, XtcCutsWithItsProbability) {
  const std::vector<double> p{0.3, 0.05, 0.4, 0.1, 0.15};
  std::vector<float> l;
  for (double x : p) l.push_back(float(std::log(x)));
  SamplerOptions o = at_temperature(1, 9);
  o.xtc_probability = 0.4f;
  o.xtc_threshold = 0.09f;
  Sampler s(o);
  const auto cut = softmax(l, xtc_survivors(p, 0.09, 0));
  std::map<int32_t, double> want;
  for (size_t i = 0; i < p.size(); ++i)
    want[int32_t(i)] = 0.6 * p[i] + 0.4 * (cut.count(int32_t(i)) ? cut.at(int32_t(i)) : 0.0);
  expect_distribution(frequencies(s, l), want, "xtc at 0.4");
}

// At temperature 0 the chain keeps the most likely of what the cuts before it left: XTC
// moves greedy off the argmax (as llama.cpp's chain does).
// The probabilities the last draw used, by id, from the sampler's post-sampling weights.
std::map<int32_t, double> drawn(const Sampler& s) {
  std::map<int32_t, double> p;
  for (int32_t id : s.drawn_from()) p[id] = s.weight(id) / s.drawn_mass();
  return p;
}

// llama.cpp's dynatemp: t = max(0, T - r) + 2r' (H / log n)^e, where H is the entropy of the
// candidates' softmax, n their count and 2r' the width of [max(0, T - r), T + r].
TEST(SamplerChain, DynamicTemperatureFollowsTheEntropy) {
  const std::vector<float> l = {2.0f, 1.0f, 0.5f, -1.0f};
  auto p = softmax(l, all_ids(l.size()));
  double entropy = 0;
  for (auto [id, q] : p) entropy -= q * std::log(q);
  const double normalized = entropy / std::log(4.0);
  for (float exponent : {1.0f, 2.0f}) {
    SamplerOptions o = at_temperature(0.8f);
    o.dynatemp_range = 0.5f;
    o.dynatemp_exponent = exponent;
    Sampler s(o);
    s.sample(l.data(), 4);
    const double t = 0.3 + 1.0 * std::pow(normalized, double(exponent));
    auto want = softmax(l, all_ids(l.size()), t);
    for (auto [id, q] : drawn(s)) EXPECT_NEAR(q, want[id], 1e-6) << "exponent " << exponent << ", token " << id;
  }
  // A range past the temperature floors at 0; a certain distribution sampled there is greedy.
  SamplerOptions o = at_temperature(0.2f);
  o.dynatemp_range = 1.0f;
  Sampler certain(o);
  const std::vector<float> sharp = {1000.0f, 0.0f, 0.0f};  // the others' probability underflows to 0
  EXPECT_EQ(certain.sample(sharp.data(), 3), 0);
  EXPECT_EQ(certain.drawn_from().size(), 1u);
}

TEST(SamplerChain, GreedyTakesTheMostLikelySurvivor) {
  const std::vector<float> l{0.1f, 2.0f, 1.5f, 1.4f, -1.0f};  // p: .07 .45 .28 .25 .02
  SamplerOptions o = at_temperature(0);
  EXPECT_EQ(Sampler(o).sample(l.data(), 5), 1);
  o.xtc_probability = 1;
  o.xtc_threshold = 0.2f;  // 1, 2 and 3 are above: 3 stays
  EXPECT_EQ(Sampler(o).sample(l.data(), 5), 3);
}

TEST(SamplerChain, DryTurnsGreedyAwayFromARepeat) {
  const std::vector<float> l{1.0f, 1.2f, 1.1f, 0.0f};
  const std::vector<int32_t> history{0, 1, 3, 0};  // "0" was followed by 1
  SamplerOptions o = at_temperature(0);
  o.dry.multiplier = 0.5f;
  o.dry.allowed_length = 1;  // 1 extends a repeat of 1: 1.2 - 0.5 * 1.75^0 < 1.1
  EXPECT_EQ(Sampler(o).sample(l.data(), 4, history), 2);
  o.samplers = {SamplerStage::kTopK, SamplerStage::kTemperature};  // no dry stage
  EXPECT_EQ(Sampler(o).sample(l.data(), 4, history), 1);
  // The latest token, 0, is a breaker: no repeat reaches past it.
  o.samplers = default_sampler_order();
  auto breakers = std::make_shared<DryBreakers>();
  breakers->emplace(0, std::vector<int32_t>{});
  o.dry.breakers = breakers;
  EXPECT_EQ(Sampler(o).sample(l.data(), 4, history), 1);
}

// The stages run in the list's order: the temperature before top-p flattens what top-p
// reads; no temperature stage, no greedy; no penalties stage, no penalty.
TEST(SamplerChain, TheSamplersListOrdersTheChain) {
  const std::vector<double> p{0.5, 0.25, 0.15, 0.1};
  std::vector<float> l;
  for (double x : p) l.push_back(float(std::log(x)));
  SamplerOptions o = at_temperature(3, 4);
  o.top_p = 0.7f;
  // Default order: top-p on p (0.5 + 0.25 >= 0.7: 0 and 1), then the temperature.
  Sampler top_p_first(o);
  expect_distribution(frequencies(top_p_first, l), softmax(l, {0, 1}, 3), "top-p first");
  // Temperature first: p^(1/3) renormalised is .33 .26 .22 .19; 0.7 needs three.
  o.samplers = {SamplerStage::kTemperature, SamplerStage::kTopP};
  double sum = 0;
  for (double x : p) sum += std::cbrt(x);
  ASSERT_LT((std::cbrt(0.5) + std::cbrt(0.25)) / sum, 0.7);
  ASSERT_GE((std::cbrt(0.5) + std::cbrt(0.25) + std::cbrt(0.15)) / sum, 0.7);
  Sampler temperature_first(o);
  expect_distribution(frequencies(temperature_first, l), softmax(l, {0, 1, 2}, 3), "temperature first");

  SamplerOptions g = at_temperature(0);
  g.samplers = {SamplerStage::kTopK};
  Sampler untempered(g);
  expect_distribution(frequencies(untempered, l), softmax(l, all_ids(4)), "no temperature stage");

  const std::vector<int32_t> history{0, 0};
  SamplerOptions pen = at_temperature(0);
  pen.presence_penalty = 1;  // 0 falls below 1
  EXPECT_EQ(Sampler(pen).sample(l.data(), 4, history), 1);
  pen.samplers = {SamplerStage::kTemperature};
  EXPECT_EQ(Sampler(pen).sample(l.data(), 4, history), 0);
}

std::vector<float> zipf_logits(size_t n, double s) {
  std::vector<float> l;
  for (size_t i = 0; i < n; ++i) l.push_back(float(-s * std::log(double(i + 1))));
  return l;
}

std::vector<double> probabilities(const std::vector<float>& l) {
  double sum = 0;
  for (float x : l) sum += std::exp(double(x));
  std::vector<double> p;
  for (float x : l) p.push_back(std::exp(double(x)) / sum);
  return p;
}

// Mirostat 2 keeps the tokens with surprise -log2 p <= mu, draws among them renormalised,
// and moves mu by eta times the drawn token's surprise less tau.
TEST(SamplerChain, Mirostat2TruncatesBySurpriseAndSteersMu) {
  const std::vector<float> l = zipf_logits(300, 1.1);
  const std::vector<double> p = probabilities(l);
  SamplerOptions o = at_temperature(1, 21);
  o.mirostat = {2, 4.0f, 0.3f};
  Sampler s(o);
  double mu = 8;
  EXPECT_DOUBLE_EQ(s.mirostat_mu(), mu);
  for (int step = 0; step < 50; ++step) {
    double kept_mass = 0;
    for (double x : p)
      if (-std::log2(x) <= mu) kept_mass += x;
    if (kept_mass == 0) kept_mass = p[0];  // none: the most likely alone
    const int32_t t = s.sample(l.data(), int64_t(l.size()));
    ASSERT_LE(-std::log2(p[size_t(t)]), mu + 1e-9) << "step " << step;
    mu -= 0.3 * (-std::log2(p[size_t(t)] / kept_mass) - 4.0);
    EXPECT_NEAR(s.mirostat_mu(), mu, 1e-6) << "step " << step;
  }
}

// Mirostat 1 estimates the Zipf exponent from the 100 most likely tokens, keeps the top
// k = (e 2^mu / (1 - N^-e))^(1/s), e = s - 1, and steers mu as Mirostat 2.
TEST(SamplerChain, Mirostat1KeepsTheTopKOfItsZipfEstimate) {
  const std::vector<float> l = zipf_logits(500, 1.3);
  const std::vector<double> p = probabilities(l);  // already in descending order
  SamplerOptions o = at_temperature(1, 22);
  o.mirostat = {1, 5.0f, 0.1f};
  Sampler s(o);
  double mu = 10;
  std::set<int32_t> seen;
  for (int step = 0; step < 40; ++step) {
    double tb = 0, tt = 0;
    for (size_t i = 0; i < 99; ++i) {
      const double t = std::log(double(i + 2) / double(i + 1));
      tb += t * std::log(p[i] / p[i + 1]);
      tt += t * t;
    }
    const double shat = tb / tt, e = shat - 1;
    const double k_hat = std::pow(e * std::pow(2.0, mu) / (1 - std::pow(500.0, -e)), 1 / shat);
    const size_t k = size_t(std::clamp(k_hat, 1.0, 500.0));
    double mass = 0;
    for (size_t i = 0; i < k; ++i) mass += p[i];
    const int32_t t = s.sample(l.data(), int64_t(l.size()));
    ASSERT_LT(size_t(t), k) << "step " << step;
    seen.insert(t);
    mu -= 0.1 * (-std::log2(p[size_t(t)] / mass) - 5.0);
    EXPECT_NEAR(s.mirostat_mu(), mu, 1e-4) << "step " << step;
  }
  EXPECT_GT(seen.size(), 3u);
}

// Mirostat replaces the chain: top-k and the penalties no longer apply.
TEST(SamplerChain, MirostatReplacesTheChain) {
  const std::vector<float> l = zipf_logits(50, 1.0);
  SamplerOptions o = at_temperature(1, 3);
  o.top_k = 1;
  o.mirostat = {2, 5.0f, 0.0f};  // eta 0: mu stays 10, p >= 2^-10 survive
  Sampler s(o);
  EXPECT_GT(frequencies(s, l).size(), 10u);
}

// Same seed, same tokens, through every stage that draws or keeps state.
TEST(SamplerChain, ASeedReproducesTheRun) {
  const std::vector<float> l = zipf_logits(200, 0.9);
  auto run = [&](SamplerOptions o) {
    Sampler s(o);
    std::vector<int32_t> history{3, 4, 3, 4, 3};
    for (int i = 0; i < 60; ++i) history.push_back(s.sample(l.data(), int64_t(l.size()), history));
    return history;
  };
  SamplerOptions chain = at_temperature(0.9f, 77);
  chain.xtc_probability = 0.5f;
  chain.dry.multiplier = 0.8f;
  chain.top_n_sigma = 2;
  SamplerOptions miro = at_temperature(0.9f, 77);
  miro.mirostat.version = 1;
  for (SamplerOptions o : {chain, miro}) {
    EXPECT_EQ(run(o), run(o));
    SamplerOptions other = o;
    other.seed = 78;
    EXPECT_NE(run(o), run(other));
  }
}

TEST(SamplerChain, StagesByNameAliasAndLetter) {
  const std::vector<SamplerStage> order = default_sampler_order();
  ASSERT_EQ(order.size(), 9u);
  EXPECT_EQ(order.front(), SamplerStage::kPenalties);
  EXPECT_EQ(order.back(), SamplerStage::kTemperature);
  const std::string letters = "edskypmxt";
  for (size_t i = 0; i < order.size(); ++i) {
    EXPECT_EQ(sampler_stage_named(sampler_stage_name(order[i]), false), order[i]);
    EXPECT_EQ(sampler_stage_lettered(letters[i]), order[i]);
  }
  EXPECT_EQ(sampler_stage_named("nucleus", true), SamplerStage::kTopP);
  EXPECT_EQ(sampler_stage_named("temp", true), SamplerStage::kTemperature);
  EXPECT_EQ(sampler_stage_named("typical", true), SamplerStage::kTypicalP);
  EXPECT_EQ(sampler_stage_named("temp", false), std::nullopt);
  EXPECT_EQ(sampler_stage_named("infill", true), std::nullopt);
  EXPECT_EQ(sampler_stage_lettered('i'), std::nullopt);
}

}  // namespace
}  // namespace lmc::runtime
