// The flags that say which artifacts to trust (--trust-artifact-key, --no-verify-weights).
#pragma once
#include <vector>

#include "driver/artifact_trust.h"
#include "tools/lmc/flags/cli_args.h"

namespace lmc::tools {

std::vector<FlagSpec> artifact_flag_specs();
driver::ArtifactTrust artifact_trust(const Args& a);

}  // namespace lmc::tools
