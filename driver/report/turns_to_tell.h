// How many turns of each pipeline lmc bench --vs-pipeline would need to tell a figure's
// difference from noise: what "inconclusive: run with -r N" names. The rank test says only
// that the turns run did not decide; drawn from the distributions the turns measured (each
// pipeline's turns at N evenly spaced quantiles), N turns would give p under the level.
#pragma once
#include <vector>

namespace lmc::report {

// The fewest turns of each pipeline whose rank test can reach p < level at all.
int fewest_turns(double level);

// The least N in [least, most] (and no fewer than fewest_turns) at which turns of `a` and
// `b` spread as these are would tell them apart at `level`; 0 when even `most` would not
// (equal medians, or a difference far inside the spread).
int turns_to_tell(const std::vector<double>& a, const std::vector<double>& b, double level, int least, int most);

}  // namespace lmc::report
