#include "driver/token_comparison.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace lmc::driver {
namespace {

TEST(LogitsRow, IsALogSoftmaxWithTheLowestArgmax) {
  std::vector<float> logits = {1, 3, 3, -2};
  LogitsRow row(logits.data(), 4);
  double z = std::exp(1.0) + 2 * std::exp(3.0) + std::exp(-2.0);
  EXPECT_NEAR(row.log_sum_exp, std::log(z), 1e-12);
  EXPECT_NEAR(row.log_p(0), 1 - std::log(z), 1e-12);
  EXPECT_EQ(row.argmax, 1);
  // Large logits: no overflow.
  std::vector<float> big = {1000, 1000};
  EXPECT_NEAR(LogitsRow(big.data(), 2).log_p(1), std::log(0.5), 1e-12);
}

TEST(Perplexity, IsTheExpOfTheMeanNegativeLogLikelihood) {
  Perplexity p;
  std::vector<float> a = {0, 0, 0, 0};  // every token 1/4
  std::vector<float> b = {std::log(3.0f), 0};  // 3/4, 1/4
  p.add(LogitsRow(a.data(), 4), 2);
  p.add(LogitsRow(b.data(), 2), 0);
  double mean_nll = (std::log(4.0) - std::log(0.75)) / 2;
  EXPECT_NEAR(p.ppl().value, std::exp(mean_nll), 1e-6);
  // The mean's standard error: sd / sqrt(n), propagated through exp.
  double sd = std::abs(std::log(4.0) + std::log(0.75)) / std::sqrt(2.0);
  EXPECT_NEAR(p.ppl().error, std::exp(mean_nll) * sd / std::sqrt(2.0), 1e-6);
  EXPECT_EQ(p.tokens(), 2);
}

TEST(TokenComparison, ARowAgainstItselfDivergesByNothing) {
  std::vector<float> a = {0.5f, -1, 2, 7};
  TokenComparison c;
  c.add(LogitsRow(a.data(), 4), LogitsRow(a.data(), 4), 1);
  EXPECT_EQ(c.kld().value, 0);
  EXPECT_EQ(c.same_top().value, 1);
  EXPECT_EQ(c.delta_p().value, 0);
}

TEST(TokenComparison, KlDivergenceTopAgreementAndDeltaPAreTheDefinitions) {
  // base p = (1/2, 1/2), model q = (3/4, 1/4): KL(p||q) = 1/2 ln(2/3) + 1/2 ln 2.
  std::vector<float> base = {0, 0}, model = {std::log(3.0f), 0};
  std::vector<float> base2 = {0, 5}, model2 = {5, 0};
  TokenComparison c;
  c.add(LogitsRow(base.data(), 2), LogitsRow(model.data(), 2), 1);
  c.add(LogitsRow(base2.data(), 2), LogitsRow(model2.data(), 2), 1);
  double kl1 = 0.5 * std::log(0.5 / 0.75) + 0.5 * std::log(0.5 / 0.25);
  double p = 1 / (1 + std::exp(-5.0)), q = 1 - p;  // row 2: base (q, p), model (p, q)
  double kl2 = q * std::log(q / p) + p * std::log(p / q);
  EXPECT_NEAR(c.kld().value, (kl1 + kl2) / 2, 1e-6);
  EXPECT_NEAR(c.kld_spread().max, kl2, 1e-6);
  EXPECT_NEAR(c.kld_spread().min, kl1, 1e-6);
  // Row 1's argmax is 0 for both (ties go to the lowest id); row 2's differs.
  EXPECT_DOUBLE_EQ(c.same_top().value, 0.5);
  EXPECT_NEAR(c.delta_p().value, ((0.25 - 0.5) + (q - p)) / 2, 1e-6);
  EXPECT_NEAR(c.delta_p_rms(), std::sqrt((0.0625 + (q - p) * (q - p)) / 2), 1e-6);
  EXPECT_NEAR(c.base().ppl().value, std::exp((std::log(2.0) - std::log(p)) / 2), 1e-5);
}

}  // namespace
}  // namespace lmc::driver
