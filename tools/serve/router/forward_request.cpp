#include "tools/serve/router/forward_request.h"

#include <sys/socket.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <cstdint>
#include <limits>
#include <set>

#include "tools/serve/answer/answer_json.h"
#include "tools/serve/answer/api_errors.h"

namespace lmc::tools {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

// Header fields that describe one connection or one message's framing, or carry the
// client's credentials: never passed on, either way.
bool passed_on(const std::string& lower_name) {
  static const std::set<std::string> dropped = {
      "authorization", "x-api-key", "host",         "content-length", "connection", "transfer-encoding",
      "keep-alive",    "expect",    "content-type", "date",           "server"};
  return dropped.count(lower_name) == 0;
}

bhttp::request<bhttp::string_body> upstream_request(const http::Request& req, const std::string& key) {
  const std::string target = req.path + (req.query.empty() ? "" : "?" + req.query);
  bhttp::request<bhttp::string_body> out{bhttp::string_to_verb(req.method), target, 11};
  for (const auto& [name, value] : req.headers)
    if (passed_on(name)) out.set(name, value);
  out.set(bhttp::field::host, "127.0.0.1");
  out.set(bhttp::field::authorization, "Bearer " + key);
  out.set(bhttp::field::connection, "close");  // one request a connection: the server closes it, having answered
  if (!req.header("content-type").empty()) out.set(bhttp::field::content_type, req.header("content-type"));
  out.body() = req.body;
  out.prepare_payload();
  return out;
}

// The answer's body as it comes, in pieces of up to 16 kB, to `sink`; false when the
// connection broke off first.
template <typename Sink>
bool read_body(tcp::socket& sock, beast::flat_buffer& buf, bhttp::response_parser<bhttp::buffer_body>& p, Sink sink) {
  char piece[16 << 10];
  while (!p.is_done()) {
    p.get().body().data = piece;
    p.get().body().size = sizeof piece;
    beast::error_code ec;
    bhttp::read_some(sock, buf, p, ec);
    if (ec == bhttp::error::need_buffer) ec = {};
    if (ec) return false;
    sink(std::string(piece, sizeof piece - p.get().body().size));
  }
  return true;
}

int bad_gateway(http::Exchange& ex, int port, const std::string& why) {
  send_json(ex, 502,
            error_body(502, "server_error", "the model's server (127.0.0.1:" + std::to_string(port) + ") " + why));
  return 502;
}

}  // namespace

void ForwardCall::cancel() {
  *cancelled_ = true;
  std::lock_guard lock(mutex_);
  if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
}

void ForwardCall::upstream(int fd) {
  std::lock_guard lock(mutex_);
  fd_ = fd;
  if (fd_ >= 0 && *cancelled_) ::shutdown(fd_, SHUT_RDWR);
}

int forward_request(const http::Request& req, int port, const std::string& key, http::Exchange& ex, ForwardCall& call) {
  asio::io_context io;
  tcp::socket sock(io);
  beast::error_code ec;
  sock.connect({asio::ip::address_v4::loopback(), static_cast<unsigned short>(port)}, ec);
  if (ec) return bad_gateway(ex, port, "cannot be reached: " + ec.message());
  call.upstream(sock.native_handle());
  struct Forget {  // before the socket closes: its descriptor may be another's then
    ForwardCall& call;
    ~Forget() { call.upstream(-1); }
  } forget{call};
  bhttp::write(sock, upstream_request(req, key), ec);
  beast::flat_buffer buf;
  bhttp::response_parser<bhttp::buffer_body> p;
  p.body_limit(std::numeric_limits<std::uint64_t>::max());  // Boost 1.74 reads boost::none as a limit of 0
  if (!ec) bhttp::read_header(sock, buf, p, ec);
  if (ec) return call.cancelled() ? 0 : bad_gateway(ex, port, "broke off before answering: " + ec.message());
  const auto& head = p.get();
  const std::string type(head[bhttp::field::content_type]);
  if (!p.chunked()) {
    std::string body;
    if (!read_body(sock, buf, p, [&body](const std::string& s) { body += s; }))
      return call.cancelled() ? 0 : bad_gateway(ex, port, "broke off in its answer");
    http::Headers headers;
    for (const auto& field : head) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (passed_on(name)) headers.emplace_back(name, std::string(field.value()));
    }
    ex.reply(static_cast<int>(head.result_int()), type, std::move(body), std::move(headers));
    return static_cast<int>(head.result_int());
  }
  // A stream: its events whole, so that a keep-alive comment never splits one.
  ex.open_stream(type, ": ping\n\n", std::chrono::seconds(15), [](bool) {});
  std::string pending;
  read_body(sock, buf, p, [&](const std::string& s) {
    pending += s;
    const size_t end = pending.rfind("\n\n");
    if (end == std::string::npos) return;
    ex.write(pending.substr(0, end + 2));
    pending.erase(0, end + 2);
  });
  if (!pending.empty()) ex.write(std::move(pending));
  ex.end_stream();
  return static_cast<int>(head.result_int());
}

int probe_status(int port, const std::string& path) {
  asio::io_context io;
  tcp::socket sock(io);
  beast::error_code ec;
  sock.connect({asio::ip::address_v4::loopback(), static_cast<unsigned short>(port)}, ec);
  if (ec) return 0;
  bhttp::request<bhttp::empty_body> get{bhttp::verb::get, path, 11};
  get.set(bhttp::field::host, "127.0.0.1");
  get.set(bhttp::field::connection, "close");  // the server closes it, having answered
  bhttp::write(sock, get, ec);
  beast::flat_buffer buf;
  bhttp::response<bhttp::string_body> answer;
  if (!ec) bhttp::read(sock, buf, answer, ec);
  return ec ? 0 : static_cast<int>(answer.result_int());
}

}  // namespace lmc::tools
