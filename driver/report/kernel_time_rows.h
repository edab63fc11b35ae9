// The per-kernel part of lmc bench --vs-pipeline: each kernel two profiled pipelines run,
// paired by symbol (a kernel's symbol names its op, types and shapes: the same kernel in
// both compiles has the same one), with its time in each run of each. A kernel only one of
// them runs is what the other fused differently.
#pragma once
#include <vector>

#include "driver/report/report_model.h"
#include "runtime/profiler.h"

namespace lmc::report {

// One profiler per measured run of each pipeline; times and calls are per run, each
// run's milliseconds kept for the spread and the rank test. The least p first (rows tied
// at it, as every clear difference is at few runs, by the largest |ms_b - ms_a|).
std::vector<KernelTimeRow> kernel_time_rows(const std::vector<runtime::Profiler>& a,
                                            const std::vector<runtime::Profiler>& b);
// "only in A", "only in B" or "both": which pipelines run the kernel.
const char* kernel_presence(const KernelTimeRow& k);

}  // namespace lmc::report
