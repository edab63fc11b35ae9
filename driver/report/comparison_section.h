// The "Pipelines compared" section of a compile report (lmc bench --vs-pipeline --report):
// whether the two agree, each figure's tokens/s with its spread and the ratio, and the
// kernels each runs with their time in both, the largest difference first.
#pragma once
#include <ostream>

#include "driver/report/report_model.h"

namespace lmc::report {

void write_comparison(std::ostream& os, const PipelineComparison& c);

}  // namespace lmc::report
