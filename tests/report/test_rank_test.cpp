// The rank test lmc bench --vs-pipeline decides "within noise" with, on fixed samples whose
// p-values were counted by hand (every split of the pooled values): exact for small sets,
// ties at their mid-rank, the normal approximation past 60 values; and the verdicts it gives.
#include <gtest/gtest.h>

#include "driver/report/rank_test.h"
#include "driver/report/speed_figure.h"
#include "driver/report/turns_to_tell.h"

namespace lmc::report {
namespace {

TEST(MannWhitney, SeparatedSetsGiveTheSmallestPTheirSizesAllow) {
  const RankTest t = mann_whitney({1, 2, 3, 4, 5}, {6, 7, 8, 9, 10});
  EXPECT_DOUBLE_EQ(t.u, 0);
  EXPECT_NEAR(t.p, 2.0 / 252, 1e-12);  // 2 of the C(10, 5) splits are this extreme
  EXPECT_NEAR(t.smallest_p, 2.0 / 252, 1e-12);
  EXPECT_NEAR(mann_whitney({6, 7, 8, 9, 10}, {1, 2, 3, 4, 5}).p, 2.0 / 252, 1e-12);
  // Three turns each can never go under 0.1: too few to call anything a difference.
  EXPECT_NEAR(mann_whitney({1, 2, 3}, {4, 5, 6}).p, 0.1, 1e-12);
}

TEST(MannWhitney, InterleavedSetsAreNoise) {
  const RankTest t = mann_whitney({10, 12, 11, 13, 9}, {10.5, 11.5, 12.5, 9.5, 13.5});
  EXPECT_DOUBLE_EQ(t.u, 10);
  EXPECT_NEAR(t.p, 0.6904761904761905, 1e-12);
  EXPECT_DOUBLE_EQ(mann_whitney({1, 1, 1}, {1, 1, 1}).p, 1);
}

TEST(MannWhitney, TiesTakeTheirMidRank) {
  EXPECT_NEAR(mann_whitney({1, 2, 2, 3}, {2, 3, 3, 4}).p, 0.2857142857142857, 1e-12);
}

TEST(MannWhitney, LargeSetsUseTheNormalApproximation) {
  std::vector<double> a, b;
  for (int i = 0; i < 31; ++i) {
    a.push_back(i);
    b.push_back(i + 3.5);
  }
  EXPECT_NEAR(mann_whitney(a, b).p, 0.15195, 0.002);  // exact: 0.15195
}

TEST(MannWhitney, EmptySetsSayNothing) { EXPECT_DOUBLE_EQ(mann_whitney({}, {1, 2}).p, 1); }

PipelineComparison figures(std::vector<SpeedFigure> speed) {
  PipelineComparison c;
  c.speed = std::move(speed);
  return c;
}

TEST(SpeedVerdict, NoiseADifferenceAndTooFewTurns) {
  const SpeedFigure noise{"pp8", {10, 12, 11, 13, 9}, {10.5, 11.5, 12.5, 9.5, 13.5}};
  const SpeedFigure slower{"tg4", {6, 7, 8, 9, 10}, {1, 2, 3, 4, 5}};
  EXPECT_EQ(figure_verdict(noise, 0.025), "within noise");
  EXPECT_EQ(figure_verdict(slower, 0.025), "B slower");
  EXPECT_EQ(figure_verdict({"tg4", {1, 2, 3, 4, 5}, {6, 7, 8, 9, 10}}, 0.025), "B faster");
  EXPECT_EQ(speed_verdict(figures({noise, noise})),
            "the pipelines do not differ beyond noise: no figure's p is under 0.025 (Mann-Whitney U over the turns "
            "of each, p < 0.025: 0.05 over 2 figures)");
  EXPECT_EQ(speed_verdict(figures({noise, slower})),
            "the pipelines differ beyond noise: tg4 B/A 0.375 (p 0.0079) (Mann-Whitney U over the turns of each, "
            "p < 0.025: 0.05 over 2 figures)");
  EXPECT_EQ(speed_verdict(figures({{"tg4", {1}, {2}}})),
            "inconclusive: run with -r 4: a rank test over 1 turn(s) of each cannot reach p < 0.05");
  EXPECT_EQ(speed_verdict(figures({})), "");
}

// A real change (B at 0.45x) whose one fast B turn left p at 0.032 over five turns,
// against the 0.025 of two figures: the samples cannot decide, and the verdict says how
// many turns of that spread would.
TEST(SpeedVerdict, UndecidedSamplesAreInconclusiveWithTheTurnsThatWouldDecide) {
  const SpeedFigure halved{"tg4", {10, 11, 9, 10.5, 9.5}, {4.5, 5, 4, 9.8, 4.2}};
  const SpeedFigure noise{"pp8", {10, 12, 11, 13, 9}, {10.5, 11.5, 12.5, 9.5, 13.5}};
  EXPECT_NEAR(mann_whitney(halved.a, halved.b).p, 8.0 / 252, 1e-12);
  EXPECT_EQ(figure_verdict(halved, 0.025), "inconclusive: run with -r 6");
  // The same spread, given the turns it asked for, decides.
  EXPECT_EQ(turns_to_tell(halved.a, halved.b, 0.025, 6, 50), 6);
  EXPECT_EQ(speed_verdict(figures({noise, halved})),
            "inconclusive: run with -r 6: tg4 B/A 0.450 (p 0.032) would need that many turns of each to tell from the "
            "spread of the turns (Mann-Whitney U over the turns of each, p < 0.025: 0.05 over 2 figures)");
  // Medians 11 and 11.5 inside a spread of 9 to 13.5: no practical number of turns tells them.
  EXPECT_EQ(turns_to_tell(noise.a, noise.b, 0.025, 6, 50), 0);
  EXPECT_EQ(turns_to_tell({1, 2, 3}, {1, 2, 3}, 0.05, 4, 50), 0);
  // One turn each, apart: as few as a rank test can decide with.
  EXPECT_EQ(turns_to_tell({1}, {2}, 0.05, 2, 50), fewest_turns(0.05));
  EXPECT_EQ(fewest_turns(0.05), 4);
  EXPECT_EQ(fewest_turns(0.025), 5);
}

}  // namespace
}  // namespace lmc::report
