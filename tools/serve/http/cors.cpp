#include "tools/serve/http/cors.h"

#include <algorithm>

namespace lmc::tools {
namespace {

// "http://localhost:8080" -> "localhost"; "http://[::1]" -> "[::1]".
std::string host_of(const std::string& origin) {
  const size_t scheme = origin.find("://");
  std::string rest = scheme == std::string::npos ? origin : origin.substr(scheme + 3);
  const size_t end = rest[0] == '[' ? rest.find(']') + 1 : rest.find(':');
  return end == std::string::npos || end == 0 ? rest : rest.substr(0, end);
}

bool loopback(const std::string& origin) {
  const std::string host = host_of(origin);
  return host == "localhost" || host == "127.0.0.1" || host == "[::1]";
}

}  // namespace

std::optional<std::string> allowed_origin(const CorsOrigins& cors, const std::string& origin) {
  if (origin.empty()) return std::nullopt;
  const auto& a = cors.allowed;
  const bool any = a.empty() || std::find(a.begin(), a.end(), "*") != a.end();
  const bool local = std::find(a.begin(), a.end(), "localhost") != a.end() && loopback(origin);
  if (any || local || std::find(a.begin(), a.end(), origin) != a.end()) return origin;
  return std::nullopt;
}

http::Headers preflight_headers(const CorsOrigins& cors, const http::Request& req) {
  http::Headers h;
  if (auto origin = allowed_origin(cors, req.header("origin"))) h.emplace_back("Access-Control-Allow-Origin", *origin);
  h.emplace_back("Access-Control-Allow-Credentials", "true");
  h.emplace_back("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS");
  h.emplace_back("Access-Control-Allow-Headers", "*");
  return h;
}

}  // namespace lmc::tools
