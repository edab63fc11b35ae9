// An HTTP/1.1 server for lmc serve on Boost.Beast and Boost.Asio's event loop: a few
// threads serve every connection, so a connection that is idle, or sends its request a
// byte at a time, costs a socket and a timer, never a thread. What a client may hold:
//   * a request's line and headers must arrive whole within `header_timeout` of the
//     connection becoming ready for it (accepted, or its last answer written): a total
//     deadline, not one per read. Past it the connection closes, after a 408 if any of the
//     request had come (an idle keep-alive connection just closes);
//   * the body must arrive within `body_timeout` after the headers (else 408), and be at
//     most `max_body_bytes` (else 413, read and dropped so the client sees the answer);
//   * at most `max_connections` connections in all and `max_per_client` from one address;
//     one past either is answered 503 at once and closed;
//   * an answer must be taken by the client within `body_timeout` a write.
// Requests are answered in order on each connection (no pipelining). A handler runs on the
// connection's thread and answers through its Exchange then or later, from any thread.
// While an answer is pending or streams, the connection is watched for the client leaving:
// its socket turning readable with nothing to read (the client's close) or a reset is found
// at once, as llama-server polls its sockets, not at the next write; the Exchange's on_gone
// is then called (a request waiting for a model frees its place).
#pragma once
#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace lmc::tools::http {

struct Limits {
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds body_timeout{30'000};
  size_t max_body_bytes = 1 << 20;
  size_t max_header_bytes = 64 << 10;
  int max_connections = 512;
  int max_per_client = 128;
};

struct Request {
  std::string method;
  std::string path;  // without the query
  std::string query;  // after '?', as sent ("" when none)
  std::string body;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? "" : it->second;
  }
};

// One request's answer: reply() once, or open_stream(), write()s and end_stream().
// Thread-safe; each call is carried out on the connection's thread in call order.
// Header lines an answer adds to the ones the server writes (Retry-After on a 503).
using Headers = std::vector<std::pair<std::string, std::string>>;

class Exchange {
 public:
  virtual ~Exchange() = default;
  virtual void reply(int status, const std::string& content_type, std::string body, Headers headers = {}) = 0;
  // A chunked answer. While nothing is written for `ping_every`, `ping` is written (so a
  // client that left is found by the failing write). `on_end(true)` once the last chunk
  // is written, `on_end(false)` once the client is found gone.
  virtual void open_stream(const std::string& content_type, std::string ping, std::chrono::milliseconds ping_every,
                           std::function<void(bool)> on_end) = 0;
  // Queues bytes of the stream; false once the client is known to be gone.
  virtual bool write(std::string bytes) = 0;
  virtual void end_stream() = 0;
  // Called once, on the connection's thread, if the client leaves before the answer is
  // written whole (at once when it has left already).
  virtual void on_gone(std::function<void()> f) = 0;
};

using Handler = std::function<void(const Request&, const std::shared_ptr<Exchange>&)>;
// The body of an error the server answers itself (400, 408, 413, 431, 503): (content type, body).
using ErrorBody = std::function<std::pair<std::string, std::string>(int status, const std::string& message)>;
// Told each answer's path and status (for metrics).
using AnswerLog = std::function<void(const std::string& path, int status)>;
// A request the server refused itself, never handed to the handler (400, 408, 413, 431, 503).
struct Refusal {
  std::string client;   // the peer's address
  std::string request;  // "POST /v1/completions" (as sent: untrusted) once its line was parsed, else ""
  int status = 0;
  std::string why;
};
// Told each refusal (for the server's log: one line per request, these included).
using RefusalLog = std::function<void(const Refusal&)>;

class Server {
 public:
  Server(Limits limits, Handler handler, ErrorBody error_body, AnswerLog log, RefusalLog refused);
  ~Server();
  // Binds and listens at each address, on one port (0: any free one, the first's); returns
  // the port. Throws lmc::Error naming the address when it cannot (tcp_listener.h).
  int bind(const std::vector<std::string>& hosts, int port);
  void run(int threads);  // until stop()
  // Stops accepting, waits (up to `grace`) for the answers begun to be written, then ends run().
  void stop(std::chrono::milliseconds grace);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace lmc::tools::http
