// The numbers lmc bench --vs-pipeline derives from a figure's turns: each pipeline's
// median with the least and most of its runs (on a noisy machine the spread says whether a
// ratio means anything), the ratio of B's median to A's, and whether the turns differ
// beyond noise (rank_test.h): per figure, and for the pipelines as a whole.
#pragma once
#include <string>
#include <vector>

#include "driver/report/report_model.h"

namespace lmc::report {

struct RunSpread {
  double median = 0, min = 0, max = 0;
};

// Over `tokens_per_second`; all zeros when it is empty.
RunSpread run_spread(const std::vector<double>& tokens_per_second);
// B's median over A's: above 1, B is faster. 0 when A has no runs.
double speed_ratio(const SpeedFigure& f);

// The level under which a figure of `c` differs: 0.05 over its figures.
double figure_level(const PipelineComparison& c);
// "B faster" or "B slower" at `level`; else "inconclusive: run with -r N" when N turns of
// each spread as these were (turns_to_tell.h: more than were run, at most 50) would tell
// them apart, and "within noise" when no practical number would.
std::string figure_verdict(const SpeedFigure& f, double level);
// One sentence: the pipelines differ beyond noise (naming each figure that does, its ratio
// and p), are inconclusive (with the -r that could decide, and the figures that need it),
// or do not differ. "" without figures.
std::string speed_verdict(const PipelineComparison& c);

}  // namespace lmc::report
