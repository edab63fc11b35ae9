// The pass-pipeline and IR-dump flags `lmc compile`, `lmc run`, `lmc bench` and `lmc opt`
// share, and one flag per option a registered pass declares.
#pragma once
#include <string>
#include <vector>

#include "passes/api/pass_option.h"
#include "passes/pass_manager.h"
#include "tools/lmc/flags/cli_args.h"

namespace lmc::tools {

// Call after load_pass_plugins: plugins' options are flags too.
std::vector<FlagSpec> pass_flag_specs();
passes::Instrumentation instrumentation_from(const Args& a);
// The pass-option flags given (flag -> value), checked.
passes::OptionValues pass_options(const Args& a);
// Loads every --load-pass-plugin library named in argv into the pass registry, then the pass
// files of $LMC_PASS_DIR and of --load-pass-file, before the flags are parsed, so that the
// plugins' options are known flags.
void load_pass_plugins(int argc, char** argv);
// The pass files a compile loads (and records): $LMC_PASS_DIR's, then --load-pass-file's.
std::vector<std::string> pass_files(const Args& a);

}  // namespace lmc::tools
