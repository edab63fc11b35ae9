// lmc serve's HTTP/1.1 transport on Boost.Beast (tools/serve/http/http_server.h).
#include "tools/serve/http/http_server.h"

// Boost 1.74's asio uses std::exchange without including <utility> itself.
#include <utility>
// clang-format off
#include <sys/socket.h>
#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <deque>
#include <list>
#include <mutex>
#include <optional>
#include <thread>
#include <tuple>
#include <vector>
// clang-format on

#include "tools/serve/http/connection_quota.h"
#include "tools/serve/http/http_wire.h"
#include "tools/serve/http/tcp_listener.h"

namespace lmc::tools::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using beast::error_code;

namespace {

// After an answer that closes the connection, what the client still sends (the rest of a
// body past the limit) is read and dropped, up to this much, so that it reads the answer
// instead of a reset.
constexpr size_t kLingerBytes = 64 << 20;
// How long a refused or timed-out client gets to read its answer before the socket closes.
constexpr std::chrono::milliseconds kShortLinger{1000};

}  // namespace

// Connections point to it plainly: the io_context, destroyed first, destroys their pending
// handlers (and so the connections, which release their counts here) before the rest.
struct Server::Impl {
  Limits limits;
  Handler handler;
  ErrorBody error_body;
  AnswerLog log;
  RefusalLog refused;
  ConnectionQuota quota{limits.max_connections, limits.max_per_client};
  std::atomic<int64_t> open_exchanges{0};
  asio::io_context ioc;
  std::list<tcp::acceptor> acceptors;  // one an address (a list: they stay where they are)

  Impl(Limits l, Handler h, ErrorBody e, AnswerLog a, RefusalLog r)
      : limits(l), handler(std::move(h)), error_body(std::move(e)), log(std::move(a)), refused(std::move(r)) {}

  void accept(tcp::acceptor& a);
  void admit(tcp::socket s);
};

namespace {

class Connection;

class ExchangeImpl final : public Exchange, public std::enable_shared_from_this<ExchangeImpl> {
 public:
  ExchangeImpl(std::shared_ptr<Connection> c, std::string path) : conn_(std::move(c)), path_(std::move(path)) {}
  void reply(int status, const std::string& content_type, std::string body, Headers headers) override;
  void open_stream(const std::string& content_type, std::string ping, std::chrono::milliseconds ping_every,
                   std::function<void(bool)> on_end) override;
  bool write(std::string bytes) override;
  void end_stream() override;
  void on_gone(std::function<void()> f) override;

  // On the connection's strand: the client left before the answer was written whole.
  void client_left() {
    gone = true;
    if (auto f = std::move(on_gone_)) {
      on_gone_ = nullptr;
      f();
    }
  }

  std::atomic<bool> gone{false};
  std::function<void()> on_gone_;  // the connection's strand only

 private:
  std::shared_ptr<Connection> conn_;
  std::string path_;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket s, Server::Impl* server, std::string client, bool counted)
      : stream_(std::move(s)),
        deadline_(stream_.get_executor()),
        ping_timer_(stream_.get_executor()),
        server_(server),
        client_(std::move(client)),
        counted_(counted) {}
  ~Connection() {
    if (counted_) server_->quota.give_back(client_);
  }

  void start() { read_request(); }

  // Past the server's bounds: 503 at once, then closed.
  void refuse(const std::string& why) { answer_error(503, why, kShortLinger); }

  // --- called on the connection's strand by ExchangeImpl
  void send_whole(int status, const std::string& content_type, std::string body, const Headers& headers = {}) {
    server_->log(path_, status);
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>(static_cast<bhttp::status>(status), 11);
    res->set(bhttp::field::content_type, content_type);
    for (const auto& [name, value] : headers) res->set(name, value);
    res->keep_alive(keep_alive_);
    res->body() = std::move(body);
    res->prepare_payload();
    arm(server_->limits.body_timeout);
    bhttp::async_write(stream_, *res, [self = shared_from_this(), res](error_code ec, size_t) {
      self->answered();
      if (ec) return self->close();
      self->next_or_close(res->keep_alive());
    });
  }

  void send_stream_head(const std::string& content_type, std::string ping, std::chrono::milliseconds every,
                        std::function<void(bool)> on_end, std::shared_ptr<ExchangeImpl> ex) {
    server_->log(path_, 200);
    exchange_ = std::move(ex);
    on_end_ = std::move(on_end);
    ping_ = std::move(ping);
    ping_every_ = every;
    queue(chunked_head(content_type, keep_alive_));
    schedule_ping();
  }

  void send_chunk(std::string bytes) {
    if (!bytes.empty()) queue(chunk(bytes));
  }

  void send_stream_end() {
    ending_ = true;
    queue(kLastChunk);
  }

  void set_on_gone(const std::shared_ptr<ExchangeImpl>& ex, std::function<void()> f) {
    if (ex->gone) return f();
    ex->on_gone_ = std::move(f);
  }

  // The connection's strand (its socket was accepted onto one).
  asio::any_io_executor strand() { return stream_.get_executor(); }

 private:
  // --- reading a request
  void read_request() {
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(server_->limits.max_header_bytes));
    parser_->body_limit(server_->limits.max_body_bytes);
    arm(server_->limits.header_timeout);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = shared_from_this()](error_code ec, size_t) { self->on_header(ec); });
  }

  void on_header(error_code ec) {
    if (ec) return read_failed(ec, "headers", server_->limits.header_timeout);
    if (lower(std::string(parser_->get()[bhttp::field::expect])) == "100-continue") {
      auto cont = std::make_shared<std::string>("HTTP/1.1 100 Continue\r\n\r\n");
      asio::async_write(stream_, asio::buffer(*cont), [self = shared_from_this(), cont](error_code e, size_t) {
        if (e) return self->close();
        self->read_body();
      });
      return;
    }
    read_body();
  }

  void read_body() {
    arm(server_->limits.body_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = shared_from_this()](error_code ec, size_t) { self->on_body(ec); });
  }

  void on_body(error_code ec) {
    if (ec) return read_failed(ec, "body", server_->limits.body_timeout);
    disarm();
    bhttp::request<bhttp::string_body> req = parser_->release();
    keep_alive_ = req.keep_alive();
    Request r;
    r.method = std::string(req.method_string());
    std::tie(r.path, r.query) = split_target(std::string(req.target()));
    path_ = r.path;
    for (const auto& f : req) r.headers[lower(std::string(f.name_string()))] = std::string(f.value());
    r.body = std::move(req.body());
    ++server_->open_exchanges;
    exchange_open_ = true;
    auto ex = std::make_shared<ExchangeImpl>(shared_from_this(), r.path);
    current_ = ex;
    server_->handler(r, ex);
    watch_peer(++watch_gen_);
  }

  // --- while the answer is pending or streams, the client's leaving is found at once: its
  // socket turns readable with nothing to read (its close) or with an error (a reset).
  // Bytes it sends meanwhile (a pipelined request) end the watch: they are read after the
  // answer. `gen` tells this exchange's watch from an earlier one's.
  void watch_peer(uint64_t gen) {
    stream_.socket().async_wait(tcp::socket::wait_read, [self = shared_from_this(), gen](error_code ec) {
      if (ec || self->closed_ || !self->exchange_open_ || gen != self->watch_gen_) return;
      char byte;
      ssize_t n = ::recv(self->stream_.socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
      if (n > 0) return;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return self->watch_peer(gen);
      self->close();
    });
  }

  void read_failed(error_code ec, const char* part, std::chrono::milliseconds limit) {
    if (timed_out_) {
      bool begun = parser_->got_some() || buffer_.size() > 0;
      if (!begun) return close();
      return answer_error(408, std::string("the request's ") + part + " did not arrive within " + seconds_text(limit),
                          kShortLinger);
    }
    if (ec == bhttp::error::body_limit)
      return answer_error(413, "the request body is larger than the server accepts (" +
                                   std::to_string(server_->limits.max_body_bytes) + " bytes)");
    if (ec == bhttp::error::header_limit)
      return answer_error(431, "the request's headers are larger than the server accepts (" +
                                   std::to_string(server_->limits.max_header_bytes) + " bytes)");
    bool client_closed = ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
                         ec == asio::error::connection_reset || ec == bhttp::error::partial_message;
    if (client_closed) return close();
    answer_error(400, "malformed HTTP request: " + ec.message());
  }

  // --- answering
  // Every answer the server makes itself is a refusal: logged, then written and closed.
  void answer_error(int status, const std::string& message, std::optional<std::chrono::milliseconds> linger = {}) {
    server_->refused({client_, request_line(), status, message});
    keep_alive_ = false;
    linger_ = linger.value_or(server_->limits.body_timeout);
    auto [type, body] = server_->error_body(status, message);
    send_whole(status, type, std::move(body));
  }

  // The request's method and target once its line was parsed (a body past the limit is
  // found as its headers end, a refusal at accept has no parser yet), else "".
  std::string request_line() const {
    if (!parser_ || parser_->get().target().empty()) return "";
    return std::string(parser_->get().method_string()) + " " + std::string(parser_->get().target());
  }

  // The request's answer is written, or can no longer be; its watch ends (a socket's
  // pending wait is the only operation left on it here).
  void answered() {
    if (exchange_open_) {
      exchange_open_ = false;
      --server_->open_exchanges;
      current_.reset();
      ++watch_gen_;
      error_code ignored;
      stream_.socket().cancel(ignored);
    }
  }

  void next_or_close(bool keep_alive) {
    if (keep_alive) return read_request();
    linger();
  }

  // The answer is out; what the client still sends is dropped until it closes (or the
  // body deadline), so that closing does not reset the connection before it reads.
  void linger() {
    error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    arm(linger_);
    drain_some();
  }

  void drain_some() {
    if (dropped_ >= kLingerBytes) return close();
    stream_.socket().async_read_some(asio::buffer(scratch_), [self = shared_from_this()](error_code ec, size_t n) {
      self->dropped_ += n;
      if (ec) return self->close();
      self->drain_some();
    });
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    disarm();
    ping_timer_.cancel();
    error_code ignored;
    stream_.socket().close(ignored);
    if (auto ex = std::move(current_)) ex->client_left();
    exchange_.reset();  // it holds this connection
    end_stream_callback(false);
    answered();
  }

  // --- the stream's writes, one at a time
  void queue(std::string bytes) {
    pending_.push_back(std::move(bytes));
    if (!writing_) write_next();
  }

  void write_next() {
    if (pending_.empty()) {
      writing_ = false;
      if (ending_) finish_stream();
      return;
    }
    writing_ = true;
    last_write_ = std::chrono::steady_clock::now();
    auto bytes = std::make_shared<std::string>(std::move(pending_.front()));
    pending_.pop_front();
    arm(server_->limits.body_timeout);
    asio::async_write(stream_, asio::buffer(*bytes), [self = shared_from_this(), bytes](error_code ec, size_t) {
      if (ec) return self->close();
      self->disarm();
      self->write_next();
    });
  }

  void finish_stream() {
    ping_timer_.cancel();
    disarm();
    answered();
    end_stream_callback(true);
    exchange_.reset();
    ending_ = false;
    next_or_close(keep_alive_);
  }

  void end_stream_callback(bool ok) {
    if (auto f = std::move(on_end_)) {
      on_end_ = nullptr;
      f(ok);
    }
  }

  void schedule_ping() {
    ping_timer_.expires_after(ping_every_);
    ping_timer_.async_wait([self = shared_from_this()](error_code ec) {
      if (ec || !self->on_end_) return;
      if (!self->writing_ && std::chrono::steady_clock::now() - self->last_write_ >= self->ping_every_)
        self->queue(chunk(self->ping_));
      self->schedule_ping();
    });
  }

  // --- the deadline of the current read or write: the socket's operations are cancelled
  // when it passes. The generation tells a stale expiry from the current one.
  void arm(std::chrono::milliseconds d) {
    timed_out_ = false;
    uint64_t gen = ++deadline_gen_;
    deadline_.expires_after(d);
    deadline_.async_wait([self = shared_from_this(), gen](error_code ec) {
      if (ec || gen != self->deadline_gen_) return;
      self->timed_out_ = true;
      error_code ignored;
      self->stream_.socket().cancel(ignored);
    });
  }

  void disarm() {
    ++deadline_gen_;
    deadline_.cancel();
  }

  beast::tcp_stream stream_;
  asio::steady_timer deadline_;
  asio::steady_timer ping_timer_;
  Server::Impl* server_;
  std::string client_;
  bool counted_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::string path_;
  bool keep_alive_ = false;
  bool timed_out_ = false;
  uint64_t deadline_gen_ = 0;
  bool exchange_open_ = false;
  // The request being answered (held, so that its on_gone is called whoever else holds
  // it; the cycle with its connection ends when it is answered or the client leaves), and
  // the stream being written.
  std::shared_ptr<ExchangeImpl> current_;
  uint64_t watch_gen_ = 0;
  std::shared_ptr<ExchangeImpl> exchange_;
  std::function<void(bool)> on_end_;
  std::string ping_;
  std::chrono::milliseconds ping_every_{1000};
  std::deque<std::string> pending_;
  bool writing_ = false, ending_ = false;
  std::chrono::steady_clock::time_point last_write_;
  size_t dropped_ = 0;
  std::chrono::milliseconds linger_{0};
  bool closed_ = false;
  std::array<char, 16384> scratch_;
};

void ExchangeImpl::reply(int status, const std::string& content_type, std::string body, Headers headers) {
  asio::post(conn_->strand(),
             [c = conn_, status, content_type, body = std::move(body), headers = std::move(headers)]() mutable {
               c->send_whole(status, content_type, std::move(body), headers);
             });
}

void ExchangeImpl::open_stream(const std::string& content_type, std::string ping, std::chrono::milliseconds every,
                               std::function<void(bool)> on_end) {
  auto self = shared_from_this();
  asio::post(conn_->strand(),
             [c = conn_, content_type, ping = std::move(ping), every, on_end = std::move(on_end), self]() mutable {
               c->send_stream_head(content_type, std::move(ping), every, std::move(on_end), self);
             });
}

bool ExchangeImpl::write(std::string bytes) {
  if (gone) return false;
  asio::post(conn_->strand(), [c = conn_, bytes = std::move(bytes)]() mutable { c->send_chunk(std::move(bytes)); });
  return true;
}

void ExchangeImpl::end_stream() {
  asio::post(conn_->strand(), [c = conn_] { c->send_stream_end(); });
}

void ExchangeImpl::on_gone(std::function<void()> f) {
  asio::post(conn_->strand(), [c = conn_, self = shared_from_this(), f = std::move(f)]() mutable {
    c->set_on_gone(self, std::move(f));
  });
}

}  // namespace

void Server::Impl::accept(tcp::acceptor& a) {
  a.async_accept(asio::make_strand(ioc), [this, &a](error_code ec, tcp::socket s) {
    if (!ec) admit(std::move(s));
    if (a.is_open()) accept(a);
  });
}

void Server::Impl::admit(tcp::socket s) {
  error_code ec;
  tcp::endpoint peer = s.remote_endpoint(ec);
  if (ec) return;  // gone before it was seen
  std::string client = peer.address().to_string();
  const std::string refusal = quota.take(client);
  auto c = std::make_shared<Connection>(std::move(s), this, client, refusal.empty());
  if (refusal.empty())
    c->start();
  else
    c->refuse(refusal);
}

Server::Server(Limits limits, Handler handler, ErrorBody error_body, AnswerLog log, RefusalLog refused)
    : impl_(std::make_unique<Impl>(limits, std::move(handler), std::move(error_body), std::move(log),
                                   std::move(refused))) {}

Server::~Server() = default;

int Server::bind(const std::vector<std::string>& hosts, int port) {
  for (const std::string& host : hosts) {
    tcp::acceptor& a = impl_->acceptors.emplace_back(impl_->ioc);
    listen_at(a, host, port, hosts.size() > 1);
    port = a.local_endpoint().port();  // the first's, when port 0 let it pick
  }
  return port;
}

void Server::run(int threads) {
  for (tcp::acceptor& a : impl_->acceptors) impl_->accept(a);
  std::vector<std::thread> extra;
  for (int i = 1; i < threads; ++i) extra.emplace_back([this] { impl_->ioc.run(); });
  impl_->ioc.run();
  for (auto& t : extra) t.join();
}

void Server::stop(std::chrono::milliseconds grace) {
  asio::post(impl_->ioc, [impl = impl_.get()] {
    error_code ignored;
    for (tcp::acceptor& a : impl->acceptors) a.close(ignored);
  });
  auto until = std::chrono::steady_clock::now() + grace;
  while (impl_->open_exchanges > 0 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  impl_->ioc.stop();
}

}  // namespace lmc::tools::http
