// The pass-pipeline and IR-dump flags `lmc compile` and `lmc opt` share.
#pragma once
#include <vector>

#include "passes/pass_context.h"
#include "passes/pass_manager.h"
#include "tools/cli_args.h"

namespace lmc::tools {

std::vector<FlagSpec> pass_flag_specs();
passes::Instrumentation instrumentation_from(const Args& a);
// Options passes read (quant-min-dim, quant-mode) from the flags, over `defaults`.
void apply_pass_options(const Args& a, passes::PassContext& ctx);
// Loads every --load-pass-plugin library into the pass registry.
void load_pass_plugins(const Args& a);

}  // namespace lmc::tools
