// The numbers lmc bench --vs-pipeline derives from a figure's turns: each pipeline's
// median with the least and most of its runs (on a noisy machine the spread says whether a
// ratio means anything), and the ratio of B's median to A's.
#pragma once
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

}  // namespace lmc::report
