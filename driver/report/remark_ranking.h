// The compile's remarks ranked by the time of the kernels they concern, as opt-viewer ranks
// LLVM's remarks by hotness: with a run's profile, a missed fusion in a kernel taking 30 % of
// the step comes before one in a kernel taking 0.1 %. A remark concerns the kernel that
// computes its value (a region's body value included) or reads it as a weight; a remark on
// the whole graph, or on a value no kernel has, ranks last.
#pragma once
#include <string>
#include <vector>

#include "driver/report/report_model.h"
#include "passes/api/pass_context.h"

namespace lmc::report {

std::vector<RankedRemark> rank_remarks(const std::vector<passes::Remark>& remarks,
                                       const std::vector<KernelRow>& kernels, const std::vector<ProfileRow>& profile);

}  // namespace lmc::report
