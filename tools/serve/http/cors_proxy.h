// llama-server's /cors-proxy (--ui-mcp-proxy): a request a browser page cannot make across
// origins (an MCP server's HTTP endpoint), made by lmc serve for it and answered with the
// target's status, content type and body. Only http:// targets. The page's own headers stay
// here (its cookies, its API key for lmc, its authorization): the target gets only the ones
// the page names for it as x-llama-server-proxy-header-NAME, as NAME.
#pragma once
#include <chrono>
#include <stdexcept>
#include <string>

#include "tools/serve/http/http_server.h"

namespace lmc::tools {

struct ProxyAnswer {
  int status = 0;
  std::string content_type;
  std::string body;
};

// What lmc answers instead when the target cannot be reached or the request is not one to
// make: its HTTP status (400, 502, 504) and why.
struct ProxyFailure : std::runtime_error {
  ProxyFailure(int status, const std::string& why) : std::runtime_error(why), status(status) {}
  int status;
};

// The target's answer to `req` (its ?url=, method and body) within `timeout`; throws
// ProxyFailure.
ProxyAnswer proxy_request(const http::Request& req, std::chrono::milliseconds timeout);

}  // namespace lmc::tools
