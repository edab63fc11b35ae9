// lmc serve's HTTP transport (tools/serve/http/http_server.h) over real loopback sockets: answers,
// keep-alive, a chunked stream and its client leaving (found at once, whether it waits for
// a whole answer or a stream, without a write), extra headers, and the bounds a slow or hostile
// client meets (total header and body deadlines, connections per address). Short deadlines
// keep each case within a second or two.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "tools/serve/http/http_server.h"

namespace lmc::tools::http {
namespace {

using namespace std::chrono_literals;

// A client socket from `source` (a loopback address) to the server at `to`.
class Client {
 public:
  Client(int port, const char* source = "127.0.0.1", const char* to_address = "127.0.0.1") {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in from{};
    from.sin_family = AF_INET;
    inet_pton(AF_INET, source, &from.sin_addr);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&from), sizeof from), 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, to_address, &to.sin_addr);
    EXPECT_EQ(connect(fd_, reinterpret_cast<sockaddr*>(&to), sizeof to), 0);
    timeval tv{5, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~Client() { close(fd_); }

  bool send(const std::string& bytes) {
    return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) == ssize_t(bytes.size());
  }

  // Reads until `until` appears or the server closes; "" past the 5 s receive timeout.
  std::string read_until(const std::string& until) {
    std::string got;
    char buf[4096];
    while (got.find(until) == std::string::npos) {
      ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) break;
      got.append(buf, size_t(n));
    }
    return got;
  }
  // Everything until the server closes the connection.
  std::string read_all() { return read_until(std::string(1, '\0') + "never"); }

 private:
  int fd_;
};

struct Fixture : ::testing::Test {
  void start(Limits limits) {
    server = std::make_unique<Server>(
        limits, [this](const Request& r, const std::shared_ptr<Exchange>& ex) { handle(r, ex); },
        [](int status, const std::string& message) {
          return std::pair<std::string, std::string>("text/plain", std::to_string(status) + ": " + message);
        },
        [](const std::string&, int) {},
        [this](const Refusal& r) {
          std::lock_guard lock(mu);
          refusals.push_back(r);
        });
    port = server->bind(hosts, 0);
    thread = std::thread([this] { server->run(2); });
  }
  std::vector<std::string> hosts = {"127.0.0.1"};
  void TearDown() override {
    for (auto& w : workers) w.join();  // they hold exchanges, which hold their connections
    if (server) server->stop(2s);
    if (thread.joinable()) thread.join();
  }

  void handle(const Request& r, const std::shared_ptr<Exchange>& ex) {
    if (r.path == "/echo") return ex->reply(200, "text/plain", r.method + " " + r.body + " " + r.header("x-tag"));
    if (r.path == "/later")  // answered from another thread, as a generation is
      return work([ex] {
        std::this_thread::sleep_for(50ms);
        ex->reply(200, "text/plain", "later");
      });
    if (r.path == "/stream") {
      ex->open_stream("text/event-stream", ": ping\n\n", 100ms,
                      [this](bool complete) { stream_ended = complete ? 1 : 2; });
      return work([ex] {
        for (int i = 0; i < 3; ++i) ex->write("event " + std::to_string(i) + "\n");
        std::this_thread::sleep_for(250ms);  // long enough for pings
        ex->end_stream();
      });
    }
    if (r.path == "/pending") {  // a generation waiting for a slot: answered only if it stays
      ex->on_gone([this] { gone_after = std::chrono::steady_clock::now() - request_sent.load(); });
      return;
    }
    if (r.path == "/silent") {  // a stream whose pings are too rare to find a client gone
      ex->open_stream("text/event-stream", ": ping\n\n", 60s, [this](bool complete) {
        stream_ended = complete ? 1 : 2;
        gone_after = std::chrono::steady_clock::now() - request_sent.load();
      });
      return;
    }
    if (r.path == "/busy") return ex->reply(503, "text/plain", "busy", {{"Retry-After", "1"}});
    if (r.path == "/endless") {
      ex->open_stream("text/event-stream", ": ping\n\n", 50ms,
                      [this](bool complete) { stream_ended = complete ? 1 : 2; });
      return;  // never ends: only the client leaving does
    }
    ex->reply(404, "text/plain", "no " + r.path);
  }

  // Handlers run on the server's threads.
  void work(std::function<void()> f) {
    std::lock_guard lock(mu);
    workers.emplace_back(std::move(f));
  }

  std::unique_ptr<Server> server;
  std::thread thread;
  int port = 0;
  std::mutex mu;
  std::vector<std::thread> workers;
  std::vector<Refusal> refusals;  // under mu
  std::atomic<int> stream_ended{0};
  std::atomic<std::chrono::steady_clock::time_point> request_sent{};
  std::atomic<std::chrono::steady_clock::duration> gone_after{std::chrono::steady_clock::duration::max()};

  // Sends a request to `path`, closes the connection 50 ms later and waits up to 2 s for the
  // handler to hear of it; how long after the request it did.
  std::chrono::steady_clock::duration leave_after_request(const std::string& path) {
    {
      Client c(port);
      request_sent = std::chrono::steady_clock::now();
      EXPECT_TRUE(c.send("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n"));
      std::this_thread::sleep_for(50ms);
    }
    for (int i = 0; i < 200 && gone_after.load() == std::chrono::steady_clock::duration::max(); ++i)
      std::this_thread::sleep_for(10ms);
    return gone_after.load();
  }
};

Limits quick() {
  Limits l;
  l.header_timeout = 400ms;
  l.body_timeout = 400ms;
  l.max_body_bytes = 1000;
  return l;
}

TEST_F(Fixture, AnswersInOrderOnAKeptAliveConnection) {
  start(quick());
  Client c(port);
  ASSERT_TRUE(c.send("POST /echo?q=1 HTTP/1.1\r\nHost: x\r\nX-Tag: t1\r\nContent-Length: 5\r\n\r\nhello"));
  std::string a = c.read_until("t1");
  EXPECT_NE(a.find("HTTP/1.1 200"), std::string::npos) << a;
  EXPECT_NE(a.find("POST hello t1"), std::string::npos) << a;
  ASSERT_TRUE(c.send("GET /later HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_NE(c.read_until("later").find("\r\n\r\nlater"), std::string::npos);
}

TEST_F(Fixture, StreamsChunksWithPingsWhileWaiting) {
  start(quick());
  Client c(port);
  ASSERT_TRUE(c.send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::string s = c.read_until("0\r\n\r\n");
  EXPECT_NE(s.find("Transfer-Encoding: chunked"), std::string::npos) << s;
  EXPECT_LT(s.find("event 0"), s.find("event 2")) << s;
  EXPECT_NE(s.find(": ping"), std::string::npos) << s;
  for (int i = 0; i < 50 && stream_ended == 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(stream_ended, 1);
}

TEST_F(Fixture, AClientLeavingAStreamIsFound) {
  start(quick());
  {
    Client c(port);
    ASSERT_TRUE(c.send("GET /endless HTTP/1.1\r\nHost: x\r\n\r\n"));
    c.read_until(": ping");
  }
  for (int i = 0; i < 200 && stream_ended == 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(stream_ended, 2);
}

// A client that leaves while its answer is pending (a request waiting for the model) is found
// the moment its connection closes, with nothing written to it; a stream's too, long before
// its next ping.
TEST_F(Fixture, AClientLeavingBeforeItsAnswerIsFoundAtOnce) {
  start(quick());
  EXPECT_LT(leave_after_request("/pending"), 500ms);
}

TEST_F(Fixture, AClientLeavingAQuietStreamIsFoundAtOnce) {
  start(quick());
  EXPECT_LT(leave_after_request("/silent"), 500ms);
  EXPECT_EQ(stream_ended, 2);
}

TEST_F(Fixture, AnAnswerCarriesItsHeaders) {
  start(quick());
  Client c(port);
  ASSERT_TRUE(c.send("GET /busy HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::string a = c.read_until("busy");
  EXPECT_NE(a.find("HTTP/1.1 503"), std::string::npos) << a;
  EXPECT_NE(a.find("Retry-After: 1\r\n"), std::string::npos) << a;
}

TEST_F(Fixture, HeadersHaveATotalDeadlineNotOnePerRead) {
  start(quick());
  Client c(port);
  ASSERT_TRUE(c.send("GET /echo HTTP/1.1\r\nHost: x\r\n"));
  auto t0 = std::chrono::steady_clock::now();
  // A byte every 100 ms keeps every single read well within 400 ms.
  for (int i = 0; i < 20 && c.send("X"); ++i) std::this_thread::sleep_for(100ms);
  std::string a = c.read_all();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2500ms);
  EXPECT_NE(a.find("HTTP/1.1 408"), std::string::npos) << a;
  EXPECT_NE(a.find("headers did not arrive within 400 ms"), std::string::npos) << a;
}

TEST_F(Fixture, AnIdleConnectionClosesWithoutAnAnswer) {
  start(quick());
  Client c(port);
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(c.read_all(), "");
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
}

TEST_F(Fixture, ASlowBodyIs408AndALargeOne413) {
  start(quick());
  Client slow(port);
  ASSERT_TRUE(slow.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc"));
  std::string a = slow.read_all();
  EXPECT_NE(a.find("408: the request's body did not arrive within 400 ms"), std::string::npos) << a;
  Client large(port);
  ASSERT_TRUE(large.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" + std::string(5000, 'a')));
  std::string b = large.read_all();
  EXPECT_NE(b.find("HTTP/1.1 413"), std::string::npos) << b;
}

TEST_F(Fixture, ConnectionsPastAnAddresssBoundAre503) {
  Limits l = quick();
  l.header_timeout = 5s;
  l.max_per_client = 3;
  start(l);
  std::vector<std::unique_ptr<Client>> held;
  for (int i = 0; i < 3; ++i) held.push_back(std::make_unique<Client>(port, "127.0.0.2"));
  std::this_thread::sleep_for(100ms);  // accepted and counted
  Client past(port, "127.0.0.2");
  std::string a = past.read_all();
  EXPECT_NE(a.find("HTTP/1.1 503"), std::string::npos) << a;
  EXPECT_NE(a.find("this address holds its most connections (3)"), std::string::npos) << a;
  Client other(port, "127.0.0.3");
  ASSERT_TRUE(other.send("GET /echo HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_NE(other.read_until("GET").find("HTTP/1.1 200"), std::string::npos);
}

TEST_F(Fixture, MalformedRequestsAre400) {
  start(quick());
  Client c(port);
  ASSERT_TRUE(c.send("NOT HTTP AT ALL\r\n\r\n"));
  EXPECT_NE(c.read_all().find("HTTP/1.1 400"), std::string::npos);
}

// Each answer the server makes itself is told, once, with the client, the request line once
// parsed, the status and why: lmc serve logs a line for each.
TEST_F(Fixture, EachRefusalIsToldOnce) {
  Limits l = quick();
  l.max_header_bytes = 2000;
  l.max_per_client = 1;
  start(l);
  auto refuse = [&](const std::string& bytes, const char* source) {
    Client c(port, source);
    EXPECT_TRUE(c.send(bytes));
    return c.read_all();
  };
  refuse("POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc", "127.0.0.4");
  refuse("POST /large HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" + std::string(5000, 'a'), "127.0.0.5");
  refuse("GET /wide HTTP/1.1\r\nX-Wide: " + std::string(4000, 'a') + "\r\n\r\n", "127.0.0.6");
  refuse("NOT HTTP AT ALL\r\n\r\n", "127.0.0.7");
  {
    Client held(port, "127.0.0.8");
    std::this_thread::sleep_for(100ms);  // accepted and counted
    refuse("GET /echo HTTP/1.1\r\nHost: x\r\n\r\n", "127.0.0.8");
  }
  std::lock_guard lock(mu);
  ASSERT_EQ(refusals.size(), 5u);
  const std::vector<std::tuple<std::string, std::string, int, std::string>> want = {
      {"127.0.0.4", "POST /slow", 408, "the request's body did not arrive within 400 ms"},
      {"127.0.0.5", "POST /large", 413, "the request body is larger than the server accepts (1000 bytes)"},
      {"127.0.0.6", "GET /wide", 431, "the request's headers are larger than the server accepts (2000 bytes)"},
      {"127.0.0.7", "", 400, "malformed HTTP request"},
      {"127.0.0.8", "", 503, "this address holds its most connections (1)"}};
  for (size_t i = 0; i < want.size(); ++i) {
    const auto& [client, request, status, why] = want[i];
    EXPECT_EQ(refusals[i].client, client) << i;
    EXPECT_EQ(refusals[i].request, request) << i;
    EXPECT_EQ(refusals[i].status, status) << i;
    EXPECT_NE(refusals[i].why.find(why), std::string::npos) << refusals[i].why;
  }
}

// --host's several addresses: one port (the first's pick), each answering.
TEST_F(Fixture, SeveralAddressesShareOnePort) {
  hosts = {"127.0.0.1", "127.0.0.2"};
  start(quick());
  for (const char* at : {"127.0.0.1", "127.0.0.2"}) {
    Client c(port, "127.0.0.1", at);
    ASSERT_TRUE(c.send("GET /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    EXPECT_NE(c.read_all().find("HTTP/1.1 200"), std::string::npos) << at;
  }
}

TEST_F(Fixture, AnAddressItCannotTakeIsAnErrorNamingIt) {
  Server s(
      quick(), [](const Request&, const std::shared_ptr<Exchange>&) {},
      [](int, const std::string& m) { return std::pair<std::string, std::string>("text/plain", m); },
      [](const std::string&, int) {}, [](const Refusal&) {});
  try {
    s.bind({"not-an-address"}, 80);
    FAIL() << "bound to a name";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("not-an-address:80: error: cannot listen there"), std::string::npos);
  }
}

}  // namespace
}  // namespace lmc::tools::http
