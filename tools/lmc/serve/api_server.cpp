#include "tools/lmc/serve/api_server.h"

#include "support/shared_module.h"

namespace lmc::tools {

std::unique_ptr<ApiServer> make_api_server(const driver::LoadedModel& m, ServeBackends backends, ServeOptions opts) {
  static const ServeModule& module = shared_module_table<ServeModule>(
      {"lmc serve's HTTP server", "liblmc-serve.so", "lmc_serve_module_v4", LMC_SERVE_BUILD_PATH});
  return module.make_server(m, backends, std::move(opts));
}

}  // namespace lmc::tools
