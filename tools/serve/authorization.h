// Whether a request's Authorization header carries one of lmc serve's API keys
// (--api-key, --api-key-file: tools/lmc/serve/api_keys.h).
#pragma once
#include <string>
#include <vector>

namespace lmc::tools {

bool authorized(const std::vector<std::string>& keys, const std::string& header);

}  // namespace lmc::tools
