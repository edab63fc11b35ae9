#include "tools/serve/http/authorization.h"

namespace lmc::tools {

// Every key is compared whole, so the time taken tells a client nothing of how near it came.
bool authorized(const std::vector<std::string>& keys, const std::string& header, const std::string& prefix) {
  bool found = false;
  for (const std::string& key : keys) {
    const std::string expected = prefix + key;
    unsigned diff = expected.size() != header.size();
    for (size_t i = 0; i < expected.size(); ++i)
      diff |= static_cast<unsigned char>(expected[i]) ^ static_cast<unsigned char>(i < header.size() ? header[i] : 0);
    found |= diff == 0;
  }
  return found;
}

}  // namespace lmc::tools
