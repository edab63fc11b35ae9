// Whether two sets of timings differ beyond noise (lmc bench --vs-pipeline): the
// Mann-Whitney U test over the turns of each pipeline. It asks only whether one set's
// values tend to rank above the other's, so a single slow turn (another process woke up)
// moves it by one rank, where it would move a mean or a ratio of medians as far as it
// likes; and it needs no assumption about how run times are distributed. The p-value is
// exact (the rank sums of every way to split the pooled values, ties at their mid-rank)
// up to 60 values, and from the normal approximation with the ties' correction beyond.
#pragma once
#include <vector>

namespace lmc::report {

struct RankTest {
  double u = 0;           // pairs (a, b) with a > b, a tie counting one half
  double p = 1;           // two-sided: the chance of a U this far from its mean by noise alone
  double smallest_p = 1;  // the least p these two sample sizes can give (no ties)
};

// p = 1 when either set is empty.
RankTest mann_whitney(const std::vector<double>& a, const std::vector<double>& b);

// The level under which a p says "differs": 0.05 over the figures tested together
// (Bonferroni), so that a pipeline against itself is called different in at most 1 in 20
// comparisons however many figures it has.
double significance_level(int figures);

}  // namespace lmc::report
