// Whether a request's header carries one of lmc serve's API keys (--api-key, --api-key-file:
// tools/lmc/serve/api_keys.h) after `prefix`: Authorization's "Bearer KEY", or Anthropic's
// X-Api-Key, the key alone.
#pragma once
#include <string>
#include <vector>

namespace lmc::tools {

bool authorized(const std::vector<std::string>& keys, const std::string& header, const std::string& prefix = "Bearer ");

}  // namespace lmc::tools
