#include "tools/lmc/process/shutdown_signals.h"

#include <pthread.h>
#include <unistd.h>

#include <cstdio>
#include <utility>

#include "support/cancellation.h"
#include "support/exit_removals.h"

namespace lmc::tools {

namespace {

const char* name(int sig) { return sig == SIGTERM ? "SIGTERM" : "SIGINT"; }

// The second signal while the server drains: the requests in flight are dropped, what was
// being written removed, and the process ends with llama-server's code for it.
[[noreturn]] void end_now(int sig) {
  std::fprintf(stderr, "lmc: second %s: stopping now, without the requests in flight\n", name(sig));
  std::fflush(stderr);
  remove_exit_files_now();
  ::_exit(1);
}

}  // namespace

ShutdownSignals::ShutdownSignals() {
  sigemptyset(&set_);
  sigaddset(&set_, SIGTERM);
  sigaddset(&set_, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set_, nullptr);
  thread_ = std::thread([this] { take(); });
}

void ShutdownSignals::finish() {
  if (!thread_.joinable()) return;
  finishing_ = true;
  pthread_kill(thread_.native_handle(), SIGTERM);
  thread_.join();
  if (stopping_.joinable()) stopping_.join();
}

void ShutdownSignals::serving(std::function<void()> stop) {
  stop_ = std::move(stop);
  serving_ = true;
}

// Before serving, each signal goes to the cancellation (a second one ends the process
// there); once serving, the first drains and the second ends at once.
void ShutdownSignals::take() {
  for (;;) {
    int sig = 0;
    sigwait(&set_, &sig);
    if (finishing_) return;
    if (!serving_)
      request_cancel(sig);
    else if (!stopping_.joinable())
      drain(sig);
    else
      end_now(sig);
  }
}

void ShutdownSignals::drain(int sig) {
  std::fprintf(stderr, "lmc: %s: finishing the requests in flight (a second signal stops at once)\n", name(sig));
  stopping_ = std::thread([this] { stop_(); });
}

}  // namespace lmc::tools
