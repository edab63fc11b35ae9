// lmc serve's SIGINT and SIGTERM, taken by one thread (sigwait) for the whole command, so
// that its answer runs as ordinary code rather than inside a signal handler; every other
// thread blocks them. While the model is opened (compiled into the cache) a signal stops
// that as in every other command (support/cancellation.h); once the server is up it calls
// the graceful stop, which lets the requests in flight finish.
#pragma once
#include <signal.h>

#include <atomic>
#include <functional>
#include <thread>

namespace lmc::tools {

class ShutdownSignals {
 public:
  // Blocks the two signals in this thread (and so in every thread it starts later: call it
  // before any) and starts the thread that takes them.
  ShutdownSignals();
  ~ShutdownSignals() { finish(); }
  ShutdownSignals(const ShutdownSignals&) = delete;
  ShutdownSignals& operator=(const ShutdownSignals&) = delete;

  // From now on a signal calls `stop` (once) instead of cancelling.
  void serving(std::function<void()> stop);
  // Wakes the thread if no signal came and waits for it; signals are no longer taken.
  void finish();

 private:
  void take();

  sigset_t set_;
  std::function<void()> stop_;
  std::atomic<bool> serving_{false};
  std::atomic<bool> claimed_{false};  // by a signal, or by the destructor's wake-up
  std::thread thread_;
};

}  // namespace lmc::tools
