// The flags that choose how kernels load and what they may use, for the commands that load
// kernels: --perf-map (or LMC_PERF=1 in the environment) and --debug-jit let a profiler or
// debugger see them (codegen/kernel_load_options.h); --no-amx keeps the AMX tiles off and
// --amx-bf16 forces the bf16 tile GEMM on prefill (support/tile_state.h; tune-prefill's
// kernel=bf16_tiles), also for the commands that only compile.
#pragma once
#include <vector>

#include "tools/lmc/flags/cli_args.h"

namespace lmc::tools {

std::vector<FlagSpec> jit_flag_specs();
std::vector<FlagSpec> amx_flag_specs();
void apply_amx_flag(const Args& a);
// Sets the options every kernel load of this process uses.
void apply_jit_flags(const Args& a);

}  // namespace lmc::tools
