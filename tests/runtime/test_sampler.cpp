#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "runtime/sampler.h"

namespace lmc::runtime {
namespace {

// Logits whose softmax at temperature 1 is exactly `probs`.
std::vector<float> logits_for(const std::vector<double>& probs) {
  std::vector<float> l;
  for (double p : probs) l.push_back(static_cast<float>(std::log(p)));
  return l;
}

std::map<int32_t, int> histogram(Sampler& s, const std::vector<float>& logits, int draws) {
  std::map<int32_t, int> h;
  for (int i = 0; i < draws; ++i) ++h[s.sample(logits.data(), static_cast<int64_t>(logits.size()))];
  return h;
}

TEST(Sampler, GreedyTakesTheArgmaxAndTheLowestIdOnTies) {
  Sampler s;
  std::vector<float> l{0.1f, 2.0f, -1.0f, 2.0f, 1.9f};
  EXPECT_EQ(s.sample(l.data(), 5), 1);
  EXPECT_EQ(s.sample(l.data(), 5), 1);
}

// A row padded past the tokenizer (its last rows have no token) never yields a padding
// id, greedy, sampled or verifying a draft, however large its logit.
TEST(Sampler, NeverPicksPastTheVocabularyLimit) {
  std::vector<float> l{0.5f, 1.0f, 0.2f, 9.0f, 8.0f};  // ids 3 and 4: padding
  SamplerOptions o;
  o.vocab_limit = 3;
  Sampler greedy(o);
  EXPECT_EQ(greedy.sample(l.data(), 5), 1);
  o.temperature = 1.5f;
  o.seed = 3;
  Sampler sampled(o);
  auto h = histogram(sampled, l, 2000);
  EXPECT_EQ(h.count(3) + h.count(4), 0u);
  EXPECT_EQ(h.size(), 3u);
  for (int i = 0; i < 200; ++i) EXPECT_LT(sampled.verify(l.data(), 5, {}, 3), 3);
  Sampler unlimited(SamplerOptions{});
  EXPECT_EQ(unlimited.sample(l.data(), 5), 3);
}

TEST(Sampler, SameSeedSameTokensOtherSeedOtherTokens) {
  std::vector<float> l(1000);
  for (size_t i = 0; i < l.size(); ++i) l[i] = static_cast<float>(std::sin(i * 0.37));
  SamplerOptions o;
  o.temperature = 1.0f;
  o.seed = 42;
  Sampler a(o), b(o);
  o.seed = 43;
  Sampler c(o);
  std::vector<int32_t> ta, tb, tc;
  for (int i = 0; i < 200; ++i) {
    ta.push_back(a.sample(l.data(), 1000));
    tb.push_back(b.sample(l.data(), 1000));
    tc.push_back(c.sample(l.data(), 1000));
  }
  EXPECT_EQ(ta, tb);
  EXPECT_NE(ta, tc);
}

// min-p keeps tokens whose probability before temperature is at least min_p times the
// largest; the survivors keep their tempered proportions (plain reference: the same
// softmax over the kept tokens, written out here).
TEST(Sampler, MinPKeepsTokensNearTheMostLikely) {
  SamplerOptions o;
  o.temperature = 2.0f;
  o.min_p = 0.3f;
  o.seed = 7;
  Sampler s(o);
  std::vector<float> l = logits_for({0.05, 0.4, 0.02, 0.25, 0.13, 0.15});  // p/p_max: .125 1 .05 .625 .325 .375
  const int draws = 20000;
  auto h = histogram(s, l, draws);
  EXPECT_EQ(h.size(), 4u);
  double z = 0;
  for (int32_t id : {1, 3, 4, 5}) z += std::exp(l[id] / o.temperature);
  for (int32_t id : {1, 3, 4, 5}) {
    double want = std::exp(l[id] / o.temperature) / z;
    EXPECT_NEAR(h[id] / double(draws), want, 0.015) << "token " << id;
  }
  o.min_p = 1.0f;  // only the most likely survives, whatever the temperature
  Sampler only(o);
  EXPECT_EQ(histogram(only, l, 500), (std::map<int32_t, int>{{1, 500}}));
}

TEST(Sampler, TopKKeepsOnlyTheKLargest) {
  SamplerOptions o;
  o.temperature = 5.0f;  // flat: without the cut, every token would show up
  o.top_k = 3;
  Sampler s(o);
  std::vector<float> l{0.0f, 3.0f, 1.0f, 2.5f, 2.9f, -1.0f};
  auto h = histogram(s, l, 3000);
  EXPECT_EQ(h.size(), 3u);
  EXPECT_TRUE(h.count(1) && h.count(3) && h.count(4));
}

TEST(Sampler, TopKOfOneIsGreedy) {
  SamplerOptions o;
  o.temperature = 2.0f;
  o.top_k = 1;
  Sampler s(o);
  std::vector<float> l{0.3f, 0.1f, 0.9f, 0.8f};
  auto h = histogram(s, l, 200);
  EXPECT_EQ(h.size(), 1u);
  EXPECT_EQ(h.begin()->first, 2);
}

TEST(Sampler, TopPKeepsTheSmallestPrefixReachingP) {
  std::vector<float> l = logits_for({0.05, 0.5, 0.15, 0.3});  // sorted: 1 (.5), 3 (.3), 2 (.15), 0 (.05)
  SamplerOptions o;
  o.temperature = 1.0f;
  o.top_p = 0.7f;  // .5 < .7 <= .8: tokens 1 and 3
  Sampler s(o);
  auto h = histogram(s, l, 4000);
  EXPECT_EQ(h.size(), 2u);
  EXPECT_TRUE(h.count(1) && h.count(3));
  // Renormalised over the survivors: 5/8 and 3/8.
  EXPECT_NEAR(h[1] / 4000.0, 0.625, 0.03);

  o.top_p = 0.85f;  // .8 < .85 <= .95: token 2 joins
  Sampler s2(o);
  auto h2 = histogram(s2, l, 4000);
  EXPECT_EQ(h2.size(), 3u);
  EXPECT_FALSE(h2.count(0));
}

// A nucleus wider than the first sorted prefix (1024 tokens) takes the full sort.
TEST(Sampler, WideNucleusOverAFlatDistribution) {
  std::vector<float> l(5000, 0.25f);  // equal logits: ties go to the lower id
  SamplerOptions o;
  o.temperature = 1.0f;
  o.top_p = 0.9f;
  Sampler s(o);
  int32_t highest = 0;
  for (int i = 0; i < 1000; ++i) highest = std::max(highest, s.sample(l.data(), 5000));
  EXPECT_GE(highest, 4000);
  EXPECT_LT(highest, 4502);
}

TEST(Sampler, FrequenciesFollowTheSoftmax) {
  std::vector<double> p{0.1, 0.2, 0.3, 0.4};
  SamplerOptions o;
  o.temperature = 1.0f;
  o.seed = 3;
  Sampler s(o);
  auto h = histogram(s, logits_for(p), 20000);
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(h[i] / 20000.0, p[i], 0.015) << "token " << i;
}

// The accept/reject rule against a drafted token: whatever the draft (likely, unlikely,
// cut by top-k), the tokens follow the sampler's own distribution: 0.4 0.3 0.2 0.1 after
// top-k = 4 drops the fifth. Each frequency within 0.01 (about 5 standard errors at
// 40000 draws); greedy verification is the argmax.
TEST(Sampler, VerifyAgainstADraftKeepsTheDistribution) {
  std::vector<float> l = logits_for({0.4 * 0.95, 0.3 * 0.95, 0.2 * 0.95, 0.1 * 0.95, 0.05});
  const double want[] = {0.4, 0.3, 0.2, 0.1, 0.0};
  for (int32_t draft : {0, 2, 3, 4}) {
    SamplerOptions o;
    o.temperature = 1;
    o.top_k = 4;
    o.seed = 11 + static_cast<uint64_t>(draft);
    Sampler s(o);
    std::map<int32_t, int> h;
    const int draws = 40000;
    for (int i = 0; i < draws; ++i) ++h[s.verify(l.data(), 5, {}, draft)];
    for (int32_t t = 0; t < 5; ++t)
      EXPECT_NEAR(h[t] / double(draws), want[t], 0.01) << "draft " << draft << ", token " << t;
  }
  Sampler greedy;
  EXPECT_EQ(greedy.verify(l.data(), 5, {}, 3), 0);
}

TEST(Sampler, RepetitionPenaltyTurnsGreedyAwayFromSeenTokens) {
  std::vector<float> l{1.0f, 2.0f, 1.8f, -0.5f};
  std::vector<int32_t> history{1, 3};
  SamplerOptions o;
  o.repetition_penalty = 1.5f;  // 2.0 -> 1.33 < 1.8
  Sampler s(o);
  EXPECT_EQ(s.sample(l.data(), 4, history), 2);
  Sampler plain;
  EXPECT_EQ(plain.sample(l.data(), 4, history), 1);
  o.repetition_window = 1;  // only token 3 counts as recent
  Sampler recent(o);
  EXPECT_EQ(recent.sample(l.data(), 4, history), 1);
}

// The chain written plainly (llama.cpp's order): each token's probability for `logits`
// after `history` under `o`.
std::vector<double> reference_chain(std::vector<float> l, const std::vector<int32_t>& history,
                                    const SamplerOptions& o) {
  const size_t n =
      o.repetition_window < 0 ? history.size() : std::min(history.size(), static_cast<size_t>(o.repetition_window));
  std::map<int32_t, int> count;
  for (size_t i = history.size() - n; i < history.size(); ++i) ++count[history[i]];
  for (auto [t, c] : count) {
    l[t] = l[t] > 0 ? l[t] / o.repetition_penalty : l[t] * o.repetition_penalty;
    l[t] -= static_cast<float>(c) * o.frequency_penalty + o.presence_penalty;
  }
  std::vector<int32_t> ids(l.size());
  std::iota(ids.begin(), ids.end(), 0);
  std::stable_sort(ids.begin(), ids.end(), [&](int32_t a, int32_t b) { return l[a] > l[b]; });
  if (o.top_k > 0 && o.top_k < static_cast<int64_t>(ids.size())) ids.resize(o.top_k);
  auto probs = [&](double t) {
    double z = 0;
    std::map<int32_t, double> p;
    for (int32_t i : ids) z += p[i] = std::exp((l[i] - l[ids[0]]) / t);
    for (auto& [i, v] : p) v /= z;
    return p;
  };
  if (o.typical_p < 1) {
    auto p = probs(1);
    double h = 0;
    for (auto [i, v] : p) h -= v * std::log(v);
    std::stable_sort(ids.begin(), ids.end(), [&](int32_t a, int32_t b) {
      return std::fabs(-std::log(p[a]) - h) < std::fabs(-std::log(p[b]) - h);
    });
    double cum = 0;
    for (size_t i = 0; i < ids.size(); ++i)
      if ((cum += p[ids[i]]) > o.typical_p) {
        ids.resize(i + 1);
        break;
      }
    std::stable_sort(ids.begin(), ids.end(), [&](int32_t a, int32_t b) { return l[a] > l[b]; });
  }
  if (o.top_p < 1) {
    auto p = probs(1);
    double cum = 0;
    for (size_t i = 0; i < ids.size(); ++i)
      if ((cum += p[ids[i]]) >= o.top_p) {
        ids.resize(i + 1);
        break;
      }
  }
  if (o.min_p > 0) {
    auto p = probs(1);
    const double top = p[ids[0]];
    std::erase_if(ids, [&](int32_t i) { return p[i] < o.min_p * top; });
  }
  std::vector<double> out(l.size(), 0.0);
  for (auto [i, v] : probs(o.temperature)) out[i] = v;
  return out;
}

// Penalties, then top-k, typical-p, top-p and min-p on the distribution at temperature 1,
// and the temperature last: the sampler's frequencies follow the reference chain.
TEST(Sampler, FollowsLlamaCppsChainInItsOrder) {
  const std::vector<float> l{1.0f, 2.2f, 1.9f, -0.4f, 0.7f, 1.5f, 0.1f, -1.0f};
  const std::vector<int32_t> history{5, 6, 1, 1, 2, 7};
  struct Case {
    const char* what;
    SamplerOptions o;
  };
  auto with = [](auto set) {
    SamplerOptions o;
    o.temperature = 1;
    set(o);
    return o;
  };
  const Case cases[] = {
      {"penalties over the last 4", with([](SamplerOptions& o) {
         o.repetition_penalty = 1.3f;
         o.frequency_penalty = 0.2f;
         o.presence_penalty = 0.4f;
         o.repetition_window = 4;
       })},
      {"penalties over the whole history", with([](SamplerOptions& o) {
         o.frequency_penalty = 0.5f;
         o.repetition_window = -1;
       })},
      {"typical-p", with([](SamplerOptions& o) { o.typical_p = 0.5f; })},
      {"top-p before the temperature", with([](SamplerOptions& o) {
         o.top_p = 0.7f;
         o.temperature = 2.0f;
       })},
      {"every cut", with([](SamplerOptions& o) {
         o.top_k = 6;
         o.typical_p = 0.95f;
         o.top_p = 0.9f;
         o.min_p = 0.3f;
         o.temperature = 0.7f;
         o.repetition_penalty = 1.1f;
       })},
  };
  const int draws = 40000;
  uint64_t seed = 5;
  for (const Case& c : cases) {
    SamplerOptions o = c.o;
    o.seed = seed++;
    Sampler s(o);
    std::map<int32_t, int> h;
    for (int i = 0; i < draws; ++i) ++h[s.sample(l.data(), static_cast<int64_t>(l.size()), history)];
    const std::vector<double> want = reference_chain(l, history, o);
    for (size_t t = 0; t < l.size(); ++t) {
      if (want[t] == 0)
        EXPECT_EQ(h.count(static_cast<int32_t>(t)), 0u) << c.what << ", token " << t;
      else
        EXPECT_NEAR(h[static_cast<int32_t>(t)] / double(draws), want[t], 0.01) << c.what << ", token " << t;
    }
  }
}

// Greedy after the penalties: frequency counts each occurrence, presence once.
TEST(Sampler, FrequencyAndPresencePenaltiesMoveTheArgmax) {
  const std::vector<float> l{1.0f, 2.0f, 1.8f, 0.5f};
  const std::vector<int32_t> history{1, 1, 2};
  SamplerOptions o;
  o.frequency_penalty = 0.3f;  // 2.0 - 0.6 = 1.4 < 1.8 - 0.3 = 1.5
  EXPECT_EQ(Sampler(o).sample(l.data(), 4, history), 2);
  o.frequency_penalty = 0;
  o.presence_penalty = 0.5f;  // 1.5 > 1.3
  EXPECT_EQ(Sampler(o).sample(l.data(), 4, history), 1);
  o.presence_penalty = 1.5f;  // 0.5 and 0.3 below token 0's 1.0
  EXPECT_EQ(Sampler(o).sample(l.data(), 4, history), 0);
}

}  // namespace
}  // namespace lmc::runtime
