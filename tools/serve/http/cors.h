// Cross-origin requests as llama-server answers them: a browser's preflight (OPTIONS, any
// path, no API key asked) is answered 200 with the methods and headers allowed, and the
// request's Origin reflected when --cors-origins lets it in (none given: any origin).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "tools/serve/http/http_server.h"

namespace lmc::tools {

// The origins --cors-origins lets in: an entry "localhost" stands for this machine's
// loopback names (http://localhost, 127.0.0.1, [::1], on any port); "*" or none, any.
struct CorsOrigins {
  std::vector<std::string> allowed;
};

// `origin` as the answer's Access-Control-Allow-Origin, or none when it is not let in.
std::optional<std::string> allowed_origin(const CorsOrigins& cors, const std::string& origin);

// The headers of the answer to a preflight request.
http::Headers preflight_headers(const CorsOrigins& cors, const http::Request& req);

}  // namespace lmc::tools
