// The per-kernel part of lmc bench --vs-pipeline: each kernel two profiled pipelines run,
// paired by symbol (a kernel's symbol names its op, types and shapes: the same kernel in
// both compiles has the same one), with its time per run in each. A kernel only one of
// them runs is what the other fused differently.
#pragma once
#include <vector>

#include "driver/report/report_model.h"
#include "runtime/profiler.h"

namespace lmc::report {

// `runs`: the measured runs each profiler holds; times and calls are per run. Largest
// |ms_b - ms_a| first.
std::vector<KernelTimeRow> kernel_time_rows(const runtime::Profiler& a, const runtime::Profiler& b, int runs);
// "only in A", "only in B" or "both": which pipelines run the kernel.
const char* kernel_presence(const KernelTimeRow& k);

}  // namespace lmc::report
