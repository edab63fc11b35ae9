#include "tools/serve/http/refusal_log.h"

#include <cstdio>
#include <string>

#include "support/untrusted_text.h"

namespace lmc::tools {

void log_refusal(const http::Refusal& r) {
  const std::string request = r.request.empty() ? "-" : excerpt(r.request, 200);
  std::fprintf(stderr, "lmc: %s %d refused, from %s: %s\n", request.c_str(), r.status, r.client.c_str(),
               printable(r.why).c_str());
}

}  // namespace lmc::tools
