// lmc serve's route table and the module's entry: the server's own routes (OpenAI's chat
// and completions, llama-server's, and the endpoints of no dialect: server/serve_http.cpp),
// then each dialect's, one line each, in this order. A dialect added is a folder of its own
// (its request reader, its answer writer and its routes) and one line here
// (docs/architecture.md, "Adding a dialect").
#include <memory>

#include "tools/serve/anthropic/anthropic_routes.h"
#include "tools/serve/responses/responses_routes.h"
#include "tools/serve/router/router_server.h"
#include "tools/serve/server/http_api_server.h"
#include "tools/serve/vertex/vertex_routes.h"

namespace lmc::tools {
namespace {

constexpr DialectRoutes kDialects[] = {
    anthropic_routes,  // Anthropic's Messages API: /v1/messages
    responses_routes,  // OpenAI's Responses API: /v1/responses
    vertex_routes,     // Vertex AI's predict route: last, since it sends instances to the routes before it
};

std::unique_ptr<ApiServer> make_server(const driver::LoadedModel& m, ServeBackends backends, ServeOptions opts) {
  return std::make_unique<HttpApiServer>(m, backends, std::move(opts), kDialects);
}

}  // namespace
}  // namespace lmc::tools

extern "C" __attribute__((visibility("default"))) const lmc::tools::ServeModule* lmc_serve_module_v7() {
  static const lmc::tools::ServeModule module{lmc::tools::make_server, lmc::tools::make_router_server};
  return &module;
}
