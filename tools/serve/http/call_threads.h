// Calls that block — a tool's command, an MCP server's answer, a proxied request — run off
// the connections' threads (which only parse and queue), each on a thread of its own: at
// most `most` at once, each told to end (its flag set) when the server stops, and joined
// before the server goes.
#pragma once
#include <atomic>
#include <cstddef>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <thread>

namespace lmc::tools {

class CallThreads {
 public:
  explicit CallThreads(size_t most) : most_(most) {}
  ~CallThreads();  // stop(), then waits for the calls to end
  CallThreads(const CallThreads&) = delete;
  CallThreads& operator=(const CallThreads&) = delete;

  // Sets every running call's flag and takes no more.
  void stop();
  // Runs `work` on a thread of its own; false when `most` run already or the server stops.
  bool launch(std::function<void()> work, std::shared_ptr<std::atomic<bool>> cancelled);
  size_t most() const { return most_; }

 private:
  struct Worker {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> cancelled, done;
  };

  const size_t most_;
  std::mutex mutex_;
  std::list<Worker> workers_;
  bool stopping_ = false;
};

}  // namespace lmc::tools
