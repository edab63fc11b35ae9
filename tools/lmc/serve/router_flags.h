// lmc serve's router flags, llama-server's: --models-dir (a folder's GGUFs, model_catalog.h),
// --models-max and --[no-]models-autoload; and the router's options from its command line,
// the flags its models' servers inherit among them.
#pragma once
#include <vector>

#include "tools/lmc/flags/cli_args.h"
#include "tools/lmc/serve/router_options.h"

namespace lmc::tools {

std::vector<FlagSpec> router_flag_specs();

// The router of `lmc serve ARGV` started without a model (argv: lmc's, "serve" at [1]).
// Throws UsageError for a flag that does not read.
RouterOptions router_options(const Args& a, int argc, char** argv);

// Throws UsageError when a router flag is given with a model (llama-server would ignore it).
void refuse_router_flags(const Args& a);

}  // namespace lmc::tools
