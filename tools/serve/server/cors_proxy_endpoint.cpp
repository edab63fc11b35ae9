#include "tools/serve/server/cors_proxy_endpoint.h"

#include "tools/serve/answer/answer_json.h"
#include "tools/serve/answer/api_errors.h"
#include "tools/serve/http/cors_proxy.h"

namespace lmc::tools {
namespace {

constexpr size_t kMostRequests = 8;  // proxied at once; one more is a 503
constexpr std::chrono::seconds kTimeout{30};

void refuse(http::Exchange& ex, int status, const std::string& message) {
  send_json(ex, status, error_body(status, status_type(status), message));
}

}  // namespace

CorsProxyEndpoint::CorsProxyEndpoint() : calls_(kMostRequests) {}

void CorsProxyEndpoint::answer(const http::Request& req, const std::shared_ptr<http::Exchange>& ex) {
  auto run = [req, ex] {
    try {
      ProxyAnswer a = proxy_request(req, kTimeout);
      ex->reply(a.status, a.content_type, std::move(a.body));
    } catch (const ProxyFailure& e) {
      refuse(*ex, e.status, e.what());
    }
  };
  if (!calls_.launch(run, std::make_shared<std::atomic<bool>>(false)))
    refuse(*ex, 503,
           "too many proxied requests at once (" + std::to_string(calls_.most()) + "), or the server is stopping");
}

bool answer_cors_proxy_route(CorsProxyEndpoint* endpoint, const http::Request& req,
                             const std::shared_ptr<http::Exchange>& ex) {
  if (req.path != "/cors-proxy") return false;
  if (!endpoint)
    refuse(*ex, 403, "the proxy is off: start lmc serve with --ui-mcp-proxy to let its pages reach other servers");
  else
    endpoint->answer(req, ex);
  return true;
}

}  // namespace lmc::tools
