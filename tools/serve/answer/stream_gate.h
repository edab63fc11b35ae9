// A streamed answer's gate (tools/serve/server/serve_http.cpp): the events of a job reach its
// client in the order the engine gives them, though the engine may start before the stream
// is open.
#pragma once
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "tools/serve/http/http_server.h"

namespace lmc::tools {

// While a streamed request waits its turn, a comment line every so often finds out
// whether its client is still there (a write to a closed connection fails).
inline constexpr auto kKeepAlive = std::chrono::seconds(1);

// A streamed answer's events in the order the engine gives them: those that come before
// the stream is open (the engine may start before submit() returns) wait here.
struct StreamGate {
  std::mutex mu;
  std::shared_ptr<http::Exchange> ex;
  bool open = false, ended = false;
  std::vector<std::string> early;

  bool write(std::string event, bool last = false) {
    std::lock_guard lock(mu);
    ended = ended || last;
    if (!open) {
      early.push_back(std::move(event));
      return true;
    }
    bool there = ex->write(std::move(event));
    if (last) ex->end_stream();
    return there;
  }
  void start(std::function<void(bool)> on_end) {
    std::lock_guard lock(mu);
    ex->open_stream("text/event-stream", ": waiting\n\n", kKeepAlive, std::move(on_end));
    for (std::string& e : early) ex->write(std::move(e));
    if (ended) ex->end_stream();
    open = true;
  }
};

}  // namespace lmc::tools
