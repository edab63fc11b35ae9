// The flags that let a profiler or debugger see the kernels (codegen/kernel_load_options.h):
// --perf-map (or LMC_PERF=1 in the environment) and --debug-jit, for the commands that
// load kernels.
#pragma once
#include <vector>

#include "tools/lmc/cli_args.h"

namespace lmc::tools {

std::vector<FlagSpec> jit_flag_specs();
// Sets the options every kernel load of this process uses.
void apply_jit_flags(const Args& a);

}  // namespace lmc::tools
