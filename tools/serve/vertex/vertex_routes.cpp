// Vertex AI's predict route on lmc serve (vertex_predict.h): each instance is sent to the
// route its "@requestFormat" names, as a request of its own would be, all at once.
#include "tools/serve/vertex/vertex_routes.h"

#include "support/error.h"
#include "tools/serve/answer/api_errors.h"
#include "tools/serve/server/http_api_server.h"
#include "tools/serve/vertex/vertex_predict.h"

namespace lmc::tools {
namespace {

// `formats`: the request formats an instance may name, by the route each stands for.
void predict(const HttpApiServer& server, const std::map<std::string, std::string>& formats, const http::Request& req,
             const std::shared_ptr<http::Exchange>& ex) {
  const std::vector<VertexInstance> instances = vertex_instances(req.body, formats);
  auto all = std::make_shared<VertexPredictions>(ex, instances.size());
  for (size_t i = 0; i < instances.size(); ++i) {
    if (instances[i].error) {
      all->put(i, *instances[i].error);
      continue;
    }
    http::Request one = req;
    one.path = instances[i].path;
    one.query.clear();
    one.body = instances[i].body;
    try {
      server.route_at("POST", one.path)(one, all->answer(i));
    } catch (const ApiError& e) {
      all->put(i, error_body(e));
    } catch (const std::exception& e) {
      all->put(i, error_body(500, "server_error", "internal error"));
    }
  }
  all->watch_client();
}

}  // namespace

void vertex_routes(HttpApiServer& server) {
  const ServeOptions::VertexRoutes& vertex = server.options().vertex;
  if (vertex.predict_route.empty()) return;
  if (server.has_route("POST", vertex.predict_route))
    throw Error("AIP_PREDICT_ROUTE " + vertex.predict_route + " is one of lmc serve's own routes");
  if (!vertex.health_route.empty()) server.add_route("GET", vertex.health_route, server.route_at("GET", "/health"));
  server.add_route(
      "POST", vertex.predict_route,
      [&server, formats = vertex_request_formats(server.post_paths())](
          const http::Request& req, const std::shared_ptr<http::Exchange>& ex) { predict(server, formats, req, ex); });
}

}  // namespace lmc::tools
