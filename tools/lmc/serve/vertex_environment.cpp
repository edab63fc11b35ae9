#include "tools/lmc/serve/vertex_environment.h"

#include <cstdio>
#include <cstdlib>
#include <string>

#include "tools/lmc/flags/cli_args.h"

namespace lmc::tools {

namespace {

// A variable's value; unset and empty are alike, as llama-server reads them.
std::string variable(const char* name, const std::string& otherwise) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : otherwise;
}

std::string route(const char* name, const std::string& otherwise) {
  std::string r = variable(name, otherwise);
  if (!r.empty() && r[0] != '/') r.insert(r.begin(), '/');
  return r;
}

}  // namespace

void read_vertex_environment(ServeOptions& opts) {
  if (variable("AIP_MODE", "") != "PREDICTION") return;
  opts.vertex.predict_route = route("AIP_PREDICT_ROUTE", "/predict");
  opts.vertex.health_route = route("AIP_HEALTH_ROUTE", "");
  const std::string port = variable("AIP_HTTP_PORT", "8080");
  size_t end = 0;
  int n = -1;
  try {
    n = std::stoi(port, &end);
  } catch (const std::exception&) {
  }
  if (end != port.size() || n < 0 || n > 65535)
    throw UsageError("AIP_HTTP_PORT expects a port (0 to 65535), got '" + port + "'");
  if (n != opts.port)
    std::fprintf(stderr, "lmc: Vertex AI's AIP_HTTP_PORT %d takes the place of port %d\n", n, opts.port);
  opts.port = n;
}

}  // namespace lmc::tools
