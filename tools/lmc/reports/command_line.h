// The command line a report shows: pasted into a shell, it runs the same command again.
#pragma once
#include <string>

#include "tools/lmc/flags/cli_args.h"

namespace lmc::tools {

// The LMC_* variables of the environment that change what is compiled or run (pass files
// from a folder, the AMX tiles refused, the bf16 GEMM), then "lmc", the command and every
// argument as given, each quoted where a shell would read it otherwise.
std::string command_line(const Args& a);

}  // namespace lmc::tools
