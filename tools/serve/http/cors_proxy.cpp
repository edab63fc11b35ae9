#include "tools/serve/http/cors_proxy.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstring>

#include "tools/serve/http/url_query.h"

namespace lmc::tools {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

constexpr const char* kForwarded = "x-llama-server-proxy-header-";
constexpr size_t kMaxAnswer = 64 << 20;

struct Target {
  std::string host, port = "80", path = "/";
};

// http://HOST[:PORT][/PATH[?QUERY]]; brackets around an IPv6 host.
Target target_of(const std::string& url) {
  const std::string scheme = "http://";
  if (url.compare(0, scheme.size(), scheme) != 0)
    throw ProxyFailure(400, "the proxy reaches http:// addresses only, not '" + url + "'");
  const size_t slash = url.find('/', scheme.size());
  const std::string authority = url.substr(scheme.size(), slash - scheme.size());
  Target t;
  if (slash != std::string::npos) t.path = url.substr(slash);
  const size_t colon = authority.rfind(':');
  const bool has_port = colon != std::string::npos && authority.find(']', colon) == std::string::npos;
  t.host = authority.substr(0, has_port ? colon : std::string::npos);
  if (has_port) t.port = authority.substr(colon + 1);
  if (t.host.size() > 1 && t.host.front() == '[' && t.host.back() == ']') t.host = t.host.substr(1, t.host.size() - 2);
  if (t.host.empty() || t.port.empty() || t.port.find_first_not_of("0123456789") != std::string::npos)
    throw ProxyFailure(400, "'" + url + "' is not an http:// address with a host");
  return t;
}

bhttp::request<bhttp::string_body> forwarded(const http::Request& req, const Target& t) {
  const bhttp::verb verb = bhttp::string_to_verb(req.method);
  if (verb == bhttp::verb::unknown) throw ProxyFailure(400, "the proxy does not forward " + req.method);
  bhttp::request<bhttp::string_body> out{verb, t.path, 11};
  for (const auto& [name, value] : req.headers)
    if (name.rfind(kForwarded, 0) == 0 && name.size() > std::strlen(kForwarded))
      out.set(name.substr(std::strlen(kForwarded)), value);
  out.set(bhttp::field::host, t.port == "80" ? t.host : t.host + ":" + t.port);
  if (!req.body.empty() || verb == bhttp::verb::post || verb == bhttp::verb::put) {
    if (!req.header("content-type").empty() && out[bhttp::field::content_type].empty())
      out.set(bhttp::field::content_type, req.header("content-type"));
    out.body() = req.body;
    out.prepare_payload();
  }
  return out;
}

}  // namespace

ProxyAnswer proxy_request(const http::Request& req, std::chrono::milliseconds timeout) {
  const std::optional<std::string> url = query_value(req.query, "url");
  if (!url || url->empty()) throw ProxyFailure(400, "give the address to reach as ?url=");
  const Target t = target_of(*url);
  auto request = forwarded(req, t);
  asio::io_context io;
  beast::tcp_stream stream(io);
  beast::error_code ec;
  stream.expires_after(timeout);
  asio::ip::tcp::resolver resolver(io);
  const auto addresses = resolver.resolve(t.host, t.port, ec);
  if (ec) throw ProxyFailure(502, "cannot resolve " + t.host + ": " + ec.message());
  stream.connect(addresses, ec);
  if (!ec) bhttp::write(stream, request, ec);
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(kMaxAnswer);
  if (!ec) bhttp::read(stream, buffer, parser, ec);
  if (ec == beast::error::timeout)
    throw ProxyFailure(504, *url + " did not answer within " + std::to_string(timeout.count() / 1000) + " s");
  if (ec) throw ProxyFailure(502, *url + ": " + ec.message());
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  auto& answer = parser.get();
  return {static_cast<int>(answer.result_int()), std::string(answer[bhttp::field::content_type]),
          std::move(answer.body())};
}

}  // namespace lmc::tools
