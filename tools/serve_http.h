// The HTTP side of `lmc serve` (cpp-httplib): OpenAI's /v1/completions and
// /v1/chat/completions (whole or streamed as server-sent events), /v1/models, /health and
// /metrics (Prometheus text). Every error is a JSON body {"error": {...}} with a 4xx/5xx
// status; with an API key, every endpoint but /health needs "Authorization: Bearer KEY".
#pragma once
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "driver/open_model.h"
#include "tools/serve_engine.h"

namespace httplib {
class Server;
class Request;
class Response;
}  // namespace httplib

namespace lmc::tools {

struct ServeOptions {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string api_key;           // "" : no authentication
  size_t max_body_bytes = 1 << 20;
};

class ApiServer {
 public:
  ApiServer(const driver::LoadedModel& m, ServeEngine& engine, ServeOptions opts);
  ~ApiServer();
  // Binds (throws lmc::Error naming the address when it cannot) and returns the port.
  int bind();
  void listen();  // until shutdown()
  // Refuses new generations (503), lets the running and queued ones finish their
  // responses, then stops listening.
  void shutdown();

 private:
  void routes();
  void generate(const httplib::Request& req, httplib::Response& res, bool chat);
  std::string prompt_text(const struct ServeRequest& r) const;
  void respond_whole(httplib::Response& res, const std::shared_ptr<Job>& job, const std::string& id, bool chat);
  void respond_stream(httplib::Response& res, const std::shared_ptr<Job>& job, const std::string& id, bool chat);
  std::string metrics() const;
  void count(const std::string& path, int status);

  const driver::LoadedModel& m_;
  ServeEngine& engine_;
  ServeOptions opts_;
  std::unique_ptr<httplib::Server> http_;
  std::atomic<bool> draining_{false};
  std::atomic<int64_t> open_streams_{0};
  std::atomic<uint64_t> next_id_{1};
  mutable std::mutex counts_mu_;
  std::map<std::pair<std::string, int>, int64_t> requests_;  // (path, status) -> count
};

}  // namespace lmc::tools
