#include "tools/lmc/process/process_world.h"

#include <cstdlib>
#include <string>

#include "support/error.h"

namespace lmc::tools {

namespace {
runtime::Collectives* g_world = nullptr;
}

runtime::Collectives* process_world() { return g_world; }
void set_process_world(runtime::Collectives* world) { g_world = world; }

double collective_timeout() {
  const char* v = std::getenv("LMC_COLLECTIVE_TIMEOUT");
  if (!v || !*v) return 120.0;
  char* end = nullptr;
  double s = std::strtod(v, &end);
  if (*end || !(s > 0) || s > 86400)
    throw Error("LMC_COLLECTIVE_TIMEOUT: error: '" + std::string(v) + "' is not a number of seconds in (0, 86400]");
  return s;
}

}  // namespace lmc::tools
