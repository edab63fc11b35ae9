#include "tools/serve/router/router_server.h"

#include <atomic>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "support/untrusted_text.h"
#include "tools/serve/answer/answer_json.h"
#include "tools/serve/answer/api_errors.h"
#include "tools/serve/http/authorization.h"
#include "tools/serve/http/call_threads.h"
#include "tools/serve/http/cors.h"
#include "tools/serve/http/http_server.h"
#include "tools/serve/http/refusal_log.h"
#include "tools/serve/http/url_query.h"
#include "tools/serve/llama/llama_endpoints.h"
#include "tools/serve/request/serve_request.h"
#include "tools/serve/router/forward_request.h"
#include "tools/serve/router/model_registry.h"
#include "tools/serve/router/router_key.h"
#include "tools/serve/server/cors_proxy_endpoint.h"
#include "tools/serve/server/serve_limits.h"
#include "tools/serve/server/tools_endpoint.h"

namespace lmc::tools {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;
using Ex = std::shared_ptr<http::Exchange>;

constexpr size_t kMostCalls = 256;  // requests held at once (waiting for a model, or forwarded); one more is a 503

// The name a request gives: its body's "model" (a POST), else its ?model=.
std::string model_named(const http::Request& req) {
  if (req.method != "POST" || req.body.empty()) return query_value(req.query, "model").value_or("");
  const json body = json::parse(req.body, nullptr, false);
  if (body.is_discarded()) throw ApiError(400, "invalid_request_error", "the request body is not valid JSON");
  const auto model = body.is_object() ? body.find("model") : body.end();
  return model != body.end() && model->is_string() ? model->get<std::string>() : "";
}

class RouterServer final : public ApiServer {
 public:
  RouterServer(ServeOptions opts, RouterOptions router)
      : opts_(std::move(opts)),
        registry_(std::move(router), {"--host", "127.0.0.1", "--api-key-file", key_.file()}),
        http_(
            limits_of(opts_), [this](const http::Request& req, const Ex& ex) { dispatch(req, ex); },
            [](int status, const std::string& message) {
              return std::pair<std::string, std::string>("application/json",
                                                         dump(error_body(status, status_type(status), message)));
            },
            [](const std::string&, int) {}, log_refusal),
        tools_(ToolsEndpoint::make(opts_)),
        proxy_(opts_.cors_proxy ? std::make_unique<CorsProxyEndpoint>() : nullptr) {}

  int bind() override {
    const int port = http_.bind(opts_.hosts, opts_.port);
    registry_.load_startup_models();
    return port;
  }
  void listen() override { http_.run(2); }
  // The models' servers finish the answers they have begun (the router's forwards with
  // them) and end; then the router stops listening.
  void shutdown() override {
    draining_ = true;
    if (tools_) tools_->stop();
    if (proxy_) proxy_->stop();
    registry_.stop();
    http_.stop(opts_.body_timeout);
  }

 private:
  void dispatch(const http::Request& req, const Ex& ex) {
    const auto t0 = Clock::now();
    int status = 200;
    try {
      status = answer(req, ex, t0);
    } catch (const ApiError& e) {
      status = e.status;
      send_json(*ex, e.status, error_body(e), retry_after(e.retry_after));
    }
    if (status) log_request(req, status, t0, "");
  }

  // The status answered, or 0 when the answer comes later from a call's thread.
  int answer(const http::Request& req, const Ex& ex, Clock::time_point t0) {
    if (req.method == "OPTIONS") {
      ex->reply(200, "text/plain", "", preflight_headers({opts_.cors_origins}, req));
      return 200;
    }
    if (req.method == "GET" && (req.path == "/health" || req.path == "/v1/health")) {
      send_json(*ex, 200, {{"status", "ok"}});
      return 200;
    }
    const bool key = opts_.api_keys.empty() || authorized(opts_.api_keys, req.header("authorization")) ||
                     (!req.header("x-api-key").empty() && authorized(opts_.api_keys, req.header("x-api-key"), ""));
    if (!key)
      throw ApiError(401, "authentication_error",
                     "a valid API key is required (Authorization: Bearer KEY, or X-Api-Key: KEY)");
    if (answer_tools_route(tools_.get(), req, ex) || answer_cors_proxy_route(proxy_.get(), req, ex)) return 200;
    if (req.method == "GET" && (req.path == "/models" || req.path == "/v1/models")) {
      send_json(*ex, 200, registry_.listing());
      return 200;
    }
    if (req.method == "POST" && req.path == "/models/load") return load(req, *ex);
    if (req.method == "POST" && req.path == "/models/unload") return unload(req, *ex);
    if (req.method == "GET" && req.path == "/props" && !query_value(req.query, "model")) {
      send_json(*ex, 200, props());
      return 200;
    }
    if ((req.path == "/models" && req.method != "GET") || req.path == "/models/sse")
      throw ApiError(501, "not_supported_error",
                     "lmc downloads no models and keeps no model cache (llama-server's " + req.method + " " + req.path +
                         "): put a model's GGUF in --models-dir, or name it in --models-preset");
    if (req.method != "GET" && req.method != "POST")
      throw ApiError(404, "not_found_error", "no endpoint " + req.method + " " + req.path.substr(0, 200));
    const std::string name = model_named(req);
    if (name.empty()) throw ApiError(400, "invalid_request_error", "model name is missing from the request", "model");
    if (!registry_.has(name)) throw ApiError(400, "invalid_request_error", "model '" + name + "' not found", "model");
    forward(req, ex, name, t0);
    return 0;
  }

  // The request waits for its model on a thread of its own, then is forwarded to it.
  void forward(const http::Request& req, const Ex& ex, const std::string& name, Clock::time_point t0) {
    if (draining_) throw ApiError(503, "unavailable_error", "the server is shutting down");
    const std::optional<std::string> autoload_query = query_value(req.query, "autoload");
    const bool autoload =
        autoload_query ? *autoload_query == "true" || *autoload_query == "1" : registry_.options().autoload;
    auto call = std::make_shared<ForwardCall>();
    ex->on_gone([call] { call->cancel(); });
    auto work = [this, req, ex, name, t0, autoload, call] {
      int status = 0;
      try {
        ModelRegistry::Lease lease = registry_.acquire(name, autoload, *call->flag());
        status = forward_request(req, lease.port(), key_.key(), *ex, *call);
      } catch (const ApiError& e) {
        status = e.status;
        send_json(*ex, e.status, error_body(e), retry_after(e.retry_after));
      } catch (const ModelRegistry::Cancelled&) {
      }
      log_request(req, status, t0, name);
    };
    if (!calls_.launch(work, call->flag()))
      throw ApiError(503, "unavailable_error",
                     "the server holds " + std::to_string(kMostCalls) + " requests already; try again", "", 1);
  }

  // POST /models/load: answered at once, the model loading on a thread of its own (GET
  // /models says when it is loaded).
  int load(const http::Request& req, http::Exchange& ex) {
    const std::string name = model_named(req);
    if (!registry_.has(name)) throw ApiError(404, "not_found_error", "model is not found", "model");
    if (registry_.status_of(name) != "unloaded")
      throw ApiError(400, "invalid_request_error", "model is already running", "model");
    auto flag = std::make_shared<std::atomic<bool>>(false);
    auto work = [this, name, flag] {
      try {
        registry_.acquire(name, true, *flag);
      } catch (const ApiError&) {  // the log and /models say so
      } catch (const ModelRegistry::Cancelled&) {
      }
    };
    if (!calls_.launch(work, flag)) throw ApiError(503, "unavailable_error", "the server is busy; try again", "", 1);
    send_json(ex, 200, {{"success", true}});
    return 200;
  }

  // POST /models/unload: unloaded at once, its server stopping on a thread of its own.
  int unload(const http::Request& req, http::Exchange& ex) {
    const std::string name = model_named(req);
    if (!registry_.has(name)) throw ApiError(400, "invalid_request_error", "model is not found", "model");
    if (registry_.status_of(name) != "loaded")
      throw ApiError(400, "invalid_request_error", "model is not running", "model");
    auto work = [this, name] {
      try {
        registry_.unload(name);
      } catch (const ApiError&) {  // it stopped meanwhile
      }
    };
    if (!calls_.launch(work, std::make_shared<std::atomic<bool>>(false)))
      throw ApiError(503, "unavailable_error", "the server is busy; try again", "", 1);
    send_json(ex, 200, {{"success", true}});
    return 200;
  }

  // llama-server's /props of its router.
  json props() const {
    return {{"role", "router"},
            {"max_instances", registry_.options().models_max},
            {"models_autoload", registry_.options().autoload},
            {"model_alias", ""},
            {"model_path", ""},
            {"default_generation_settings", {{"params", json::object()}, {"n_ctx", 0}}},
            {"build_info", build_fingerprint() + " (lmc " + LMC_VERSION + ")"},
            {"cors_proxy_enabled", opts_.cors_proxy}};
  }

  // One line on stderr per request, as the model's servers write theirs.
  static void log_request(const http::Request& req, int status, Clock::time_point t0, const std::string& model) {
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    std::string line = "lmc: " + excerpt(req.method + " " + req.path, 200) + " " + std::to_string(status) + " " +
                       std::to_string(std::lround(ms)) + " ms";
    if (!model.empty()) line += " (model " + excerpt(model, 200) + ")";
    std::fprintf(stderr, "%s\n", line.c_str());
  }

  ServeOptions opts_;
  RouterKey key_;
  ModelRegistry registry_;
  std::atomic<bool> draining_{false};
  http::Server http_;
  std::unique_ptr<ToolsEndpoint> tools_;  // after http_: its calls end while the server still is
  std::unique_ptr<CorsProxyEndpoint> proxy_;
  CallThreads calls_{kMostCalls};  // last: its calls end before what they use goes
};

}  // namespace

std::unique_ptr<ApiServer> make_router_server(ServeOptions opts, RouterOptions router) {
  return std::make_unique<RouterServer>(std::move(opts), std::move(router));
}

}  // namespace lmc::tools
