// Vertex AI's predict route on lmc serve (vertex_predict.h): each instance is sent to the
// route its "@requestFormat" names, as a request of its own would be, all at once.
#include "support/error.h"
#include "tools/serve/answer/api_errors.h"
#include "tools/serve/server/http_api_server.h"
#include "tools/serve/vertex/vertex_predict.h"

namespace lmc::tools {

void HttpApiServer::vertex_routes() {
  using Ex = std::shared_ptr<http::Exchange>;
  if (routes_.count({"POST", opts_.vertex.predict_route}))
    throw Error("AIP_PREDICT_ROUTE " + opts_.vertex.predict_route + " is one of lmc serve's own routes");
  if (!opts_.vertex.health_route.empty()) routes_[{"GET", opts_.vertex.health_route}] = routes_.at({"GET", "/health"});
  std::vector<std::string> posts;
  for (const auto& [route, _] : routes_)
    if (route.first == "POST") posts.push_back(route.second);
  routes_[{"POST", opts_.vertex.predict_route}] = [this, formats = vertex_request_formats(posts)](
                                                      const http::Request& req, const Ex& ex) {
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
        routes_.at({"POST", one.path})(one, all->answer(i));
      } catch (const ApiError& e) {
        all->put(i, error_body(e));
      } catch (const std::exception& e) {
        all->put(i, error_body(500, "server_error", "internal error"));
      }
    }
    all->watch_client();
  };
}

}  // namespace lmc::tools
