#include "tools/serve/engine/api_server.h"

#include "support/shared_module.h"

namespace lmc::tools {

namespace {

const ServeModule& serve_module() {
  static const ServeModule& module = shared_module_table<ServeModule>(
      {"lmc serve's HTTP server", "liblmc-serve.so", "lmc_serve_module_v7", LMC_SERVE_BUILD_PATH});
  return module;
}

}  // namespace

std::unique_ptr<ApiServer> make_api_server(const driver::LoadedModel& m, ServeBackends backends, ServeOptions opts) {
  return serve_module().make_server(m, backends, std::move(opts));
}

std::unique_ptr<ApiServer> make_router_api_server(ServeOptions opts, RouterOptions router) {
  return serve_module().make_router_server(std::move(opts), std::move(router));
}

}  // namespace lmc::tools
