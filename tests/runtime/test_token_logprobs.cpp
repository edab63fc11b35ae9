#include "runtime/token_logprobs.h"

#include <gtest/gtest.h>

#include "runtime/sampler.h"

#include <cmath>
#include <limits>
#include <vector>

namespace lmc::runtime {
namespace {

// log softmax(x / t)[i], written out in long double.
double reference(const std::vector<float>& x, double t, size_t i) {
  long double sum = 0;
  for (float v : x) sum += std::exp(static_cast<long double>(v) / t);
  return static_cast<double>(static_cast<long double>(x[i]) / t - std::log(sum));
}

TEST(TokenLogprobs, LogSoftmaxAtTheTemperatureOverTheWholeRow) {
  const std::vector<float> logits = {1.5f, -2.0f, 3.25f, 0.0f, 3.25f, -7.5f};
  for (float temperature : {0.0f, 0.5f, 1.0f, 1.7f}) {
    const double t = temperature > 0 ? temperature : 1.0;
    StepLogprobs lp = token_logprobs(logits, temperature, 3, 3);
    EXPECT_EQ(lp.chosen.token, 3);
    EXPECT_NEAR(lp.chosen.logprob, reference(logits, t, 3), 1e-5);
    ASSERT_EQ(lp.top.size(), 3u);
    // Most likely first; the tie between ids 2 and 4 goes to the lower id.
    EXPECT_EQ(lp.top[0].token, 2);
    EXPECT_EQ(lp.top[1].token, 4);
    EXPECT_EQ(lp.top[2].token, 0);
    for (const TokenLogprob& x : lp.top)
      EXPECT_NEAR(x.logprob, reference(logits, t, static_cast<size_t>(x.token)), 1e-5);
  }
}

TEST(TokenLogprobs, ProbabilitiesSumToOneAndBannedTokensHaveTheFloor) {
  std::vector<float> logits = {0.3f, -std::numeric_limits<float>::infinity(), 2.0f, -1.0f};
  StepLogprobs lp = token_logprobs(logits, 0.8f, 1, 10);
  EXPECT_EQ(lp.chosen.logprob, kLowestLogprob);
  ASSERT_EQ(lp.top.size(), 4u);  // no more alternatives than the row has
  double mass = 0;
  for (const TokenLogprob& x : lp.top) mass += std::exp(double(x.logprob));
  EXPECT_NEAR(mass, 1.0, 1e-6);
  EXPECT_EQ(lp.top.back().token, 1);
  EXPECT_TRUE(token_logprobs(logits, 1.0f, 2, 0).top.empty());
}

// post_sampling_probs: the candidates the cuts left, their softmax at the temperature.
TEST(TokenLogprobs, DrawnLogprobsAreTheCutDistribution) {
  const std::vector<float> logits = {1.0f, 3.0f, 2.0f, -1.0f};
  SamplerOptions o;
  o.temperature = 0.5f;
  o.top_k = 2;
  Sampler s(o);
  const int32_t token = s.sample(logits.data(), 4);
  StepLogprobs lp = drawn_logprobs(s, token, 10);
  ASSERT_EQ(lp.top.size(), 2u);  // ids 0 and 3 were cut
  EXPECT_EQ(lp.top[0].token, 1);
  EXPECT_EQ(lp.top[1].token, 2);
  const double p1 = 1 / (1 + std::exp(-2.0));  // e^(3/0.5) / (e^(3/0.5) + e^(2/0.5))
  EXPECT_NEAR(std::exp(double(lp.top[0].logprob)), p1, 1e-6);
  EXPECT_NEAR(std::exp(double(lp.top[1].logprob)), 1 - p1, 1e-6);
  EXPECT_EQ(lp.chosen.logprob, lp.top[token == 1 ? 0 : 1].logprob);
  EXPECT_EQ(drawn_logprobs(s, 0, 10).chosen.logprob, kLowestLogprob);  // a cut token had no chance
  Sampler greedy(SamplerOptions{});
  ASSERT_EQ(greedy.sample(logits.data(), 4), 1);
  lp = drawn_logprobs(greedy, 1, 10);
  ASSERT_EQ(lp.top.size(), 1u);
  EXPECT_EQ(lp.top[0].logprob, 0.0f);
}

}  // namespace
}  // namespace lmc::runtime
