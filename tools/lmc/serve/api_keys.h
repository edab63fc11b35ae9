// The keys lmc serve accepts (`Authorization: Bearer KEY`), as llama-server takes them:
// --api-key KEY, several separated by commas, and --api-key-file FILE, one a line (blank
// lines skipped). Both may be given; any key of either is accepted.
#pragma once
#include <string>
#include <vector>

#include "tools/lmc/flags/cli_args.h"

namespace lmc::tools {

std::vector<FlagSpec> api_key_flag_specs();
// Empty when neither flag is given: no authentication. Throws UsageError for an empty key
// or a file that cannot be read or names none.
std::vector<std::string> api_keys(const Args& a);

}  // namespace lmc::tools
