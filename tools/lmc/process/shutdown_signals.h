// lmc serve's SIGINT and SIGTERM, taken by one thread (sigwait) for the whole command, so
// that its answer runs as ordinary code rather than inside a signal handler; every other
// thread blocks them. While the model is opened (compiled into the cache) a signal stops
// that as in every other command (support/cancellation.h); once the server is up it calls
// the graceful stop on a thread of its own, which lets the requests in flight finish, and
// goes on listening: a second signal ends the process at once, as llama-server's, exit 1.
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
  // Wakes the thread and waits for it (and for the graceful stop, if one began); signals
  // are no longer taken.
  void finish();

 private:
  void take();
  void drain(int sig);

  sigset_t set_;
  std::function<void()> stop_;
  std::atomic<bool> serving_{false};
  std::atomic<bool> finishing_{false};  // the destructor's wake-up, not a signal
  std::thread thread_;
  std::thread stopping_;  // the graceful stop, once a signal asked for it
};

}  // namespace lmc::tools
