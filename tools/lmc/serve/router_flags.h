// lmc serve's router flags, llama-server's: --models-dir (a folder's GGUFs, model_catalog.h),
// --models-preset (model_presets.h), --models-max and --[no-]models-autoload; and the router's
// options from its command line, the flags its models' servers inherit among them.
#pragma once
#include <vector>

#include "tools/lmc/flags/cli_args.h"
#include "tools/lmc/serve/model_presets.h"
#include "tools/serve/engine/router_options.h"

namespace lmc::tools {

std::vector<FlagSpec> router_flag_specs();

// The router of `lmc serve ARGV` started without a model (argv: lmc's, "serve" at [1]);
// `check` reads a preset's flags as lmc serve would. Throws UsageError for a flag or preset
// that does not read.
RouterOptions router_options(const Args& a, int argc, char** argv, const FlagCheck& check);

// Whether a flag so spelled ("--port", "-a") is the router's own, which its models' servers
// do not get (it listens, checks keys, names the models and runs the tools).
bool owned_by_router(const std::string& spelling);

// Throws UsageError when a router flag is given with a model (llama-server would ignore it).
void refuse_router_flags(const Args& a);

}  // namespace lmc::tools
