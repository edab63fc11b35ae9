// What lmc bench --vs-pipeline prints: a table (the pipelines, whether they agree, each
// figure's tokens/s with its spread, the ratio B / A, the rank test's p and whether it
// differs beyond noise, a verdict over all figures, then every kernel's time in both with
// its spread and p, the least p first), or with -o json the same as one JSON object.
#pragma once
#include <string>

#include "driver/report/report_model.h"

namespace lmc::tools {

void print_comparison_table(const report::PipelineComparison& c);
// One object: pipeline_a, pipeline_b, agreement {agree, tokens, max_abs, max_rel, cosine,
// tolerance}, tests [{test, unit, a, b: {median, min, max, samples}, ratio, p, verdict}],
// verdict, kernels [{symbol, op, in, calls_a, calls_b, ms_a, ms_b, runs_ms_a, runs_ms_b,
// diff_ms, p}], kernel_note.
std::string comparison_json(const report::PipelineComparison& c);

}  // namespace lmc::tools
