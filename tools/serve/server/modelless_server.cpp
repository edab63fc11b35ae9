#include "tools/serve/server/modelless_server.h"

#include <nlohmann/json.hpp>

#include "tools/serve/answer/answer_json.h"
#include "tools/serve/answer/api_errors.h"
#include "tools/serve/http/authorization.h"
#include "tools/serve/http/cors.h"
#include "tools/serve/http/http_server.h"
#include "tools/serve/http/refusal_log.h"
#include "tools/serve/server/cors_proxy_endpoint.h"
#include "tools/serve/server/serve_limits.h"
#include "tools/serve/server/tools_endpoint.h"

namespace lmc::tools {
namespace {

using nlohmann::json;

class ModellessServer final : public ApiServer {
 public:
  explicit ModellessServer(ServeOptions opts)
      : opts_(std::move(opts)),
        http_(
            limits_of(opts_),
            [this](const http::Request& req, const std::shared_ptr<http::Exchange>& ex) { answer(req, ex); },
            [](int status, const std::string& message) {
              return std::pair<std::string, std::string>("application/json",
                                                         dump(error_body(status, status_type(status), message)));
            },
            [](const std::string&, int) {}, log_refusal),
        tools_(ToolsEndpoint::make(opts_)),
        proxy_(opts_.cors_proxy ? std::make_unique<CorsProxyEndpoint>() : nullptr) {}

  int bind() override { return http_.bind(opts_.hosts, opts_.port); }
  void listen() override { http_.run(1); }
  void shutdown() override {
    if (tools_) tools_->stop();
    if (proxy_) proxy_->stop();
    http_.stop(opts_.body_timeout);
  }

 private:
  void answer(const http::Request& req, const std::shared_ptr<http::Exchange>& ex) {
    if (req.method == "OPTIONS") return ex->reply(200, "text/plain", "", preflight_headers({opts_.cors_origins}, req));
    if (req.path == "/health") return send_json(*ex, 200, {{"status", "ok"}});
    const bool key = opts_.api_keys.empty() || authorized(opts_.api_keys, req.header("authorization")) ||
                     (!req.header("x-api-key").empty() && authorized(opts_.api_keys, req.header("x-api-key"), ""));
    if (!key)
      return send_json(*ex, 401,
                       error_body(401, "authentication_error",
                                  "a valid API key is required (Authorization: Bearer KEY, or X-Api-Key: KEY)"));
    if (answer_tools_route(tools_.get(), req, ex) || answer_cors_proxy_route(proxy_.get(), req, ex)) return;
    if (req.method == "GET" && (req.path == "/models" || req.path == "/v1/models"))
      return send_json(*ex, 200, {{"object", "list"}, {"data", json::array()}});
    send_json(*ex, 503,
              error_body(503, "unavailable_error",
                         "no model is loaded: this lmc serve was started without one (give it MODEL or -m; "
                         "llama-server's router, which loads models on demand, is not lmc's)"));
  }

  ServeOptions opts_;
  http::Server http_;
  std::unique_ptr<ToolsEndpoint> tools_;  // after http_: its calls end while the server still is
  std::unique_ptr<CorsProxyEndpoint> proxy_;
};

}  // namespace

std::unique_ptr<ApiServer> make_modelless_server(ServeOptions opts) {
  return std::make_unique<ModellessServer>(std::move(opts));
}

}  // namespace lmc::tools
