#include "tools/lmc/process/shutdown_signals.h"

#include <pthread.h>

#include <cstdio>
#include <utility>

#include "support/cancellation.h"

namespace lmc::tools {

ShutdownSignals::ShutdownSignals() {
  sigemptyset(&set_);
  sigaddset(&set_, SIGTERM);
  sigaddset(&set_, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set_, nullptr);
  thread_ = std::thread([this] { take(); });
}

void ShutdownSignals::finish() {
  if (!thread_.joinable()) return;
  if (!claimed_.exchange(true)) pthread_kill(thread_.native_handle(), SIGTERM);
  thread_.join();
}

void ShutdownSignals::serving(std::function<void()> stop) {
  stop_ = std::move(stop);
  serving_ = true;
}

void ShutdownSignals::take() {
  int sig = 0;
  sigwait(&set_, &sig);
  if (claimed_.exchange(true)) return;  // the destructor's wake-up
  if (!serving_) {
    request_cancel(sig);
    return;
  }
  std::fprintf(stderr, "lmc: %s: finishing the requests in flight\n", sig == SIGTERM ? "SIGTERM" : "SIGINT");
  stop_();
}

}  // namespace lmc::tools
