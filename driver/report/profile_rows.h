// The profile part of a report (lmc run --profile --report=FILE): each kernel's share of
// the step, from the profiler's per-node timings. The decode steps (T = 1) are the steady
// state a user waits on, so they are measured when there are any; else every step. A
// kernel's share is its calls' time over the steps' wall time; kernels that run at once
// (independent nodes of the flow graph) can make the shares add up to more than 1.
#pragma once
#include <string>
#include <vector>

#include "driver/report/report_model.h"
#include "runtime/profiler.h"

namespace lmc::report {

struct ProfileTable {
  std::vector<ProfileRow> rows;  // largest share first
  std::string note;              // which steps, and their time
};

ProfileTable profile_rows(const runtime::Profiler& p);

}  // namespace lmc::report
