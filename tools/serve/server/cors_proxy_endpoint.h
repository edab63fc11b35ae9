// The /cors-proxy route on either server (cors_proxy.h makes the request): with
// --ui-mcp-proxy, a request's answer is the target's, made on a thread of its own (the
// target may be this very server); without it, a 403 as llama-server's.
#pragma once
#include <memory>

#include "tools/serve/http/call_threads.h"
#include "tools/serve/http/http_server.h"

namespace lmc::tools {

class CorsProxyEndpoint {
 public:
  CorsProxyEndpoint();
  void stop() { calls_.stop(); }
  void answer(const http::Request& req, const std::shared_ptr<http::Exchange>& ex);

 private:
  CallThreads calls_;
};

// /cors-proxy on either server: the endpoint's answer, or 403 when it is null (no
// --ui-mcp-proxy). True when `req` is for /cors-proxy.
bool answer_cors_proxy_route(CorsProxyEndpoint* endpoint, const http::Request& req,
                             const std::shared_ptr<http::Exchange>& ex);

}  // namespace lmc::tools
