#include "support/cancellation.h"

#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstring>
#include <mutex>

#include "support/exit_removals.h"

namespace lmc {

namespace {

std::atomic<int> g_signal{0};

// How long the checkpoints have to unwind the command before it is ended outright: the
// exit itself, on a loaded host, must still come within the second promised.
constexpr suseconds_t kGraceMicroseconds = 600'000;

const char* message(int signal) { return signal == SIGTERM ? "terminated (SIGTERM)" : "interrupted (SIGINT)"; }

// Async-signal-safe: write, unlink and _exit only.
[[noreturn]] void end_now(int signal) {
  remove_exit_files_now();
  const char* parts[] = {"lmc: ", message(signal), "\n"};
  for (const char* p : parts)
    if (::write(STDERR_FILENO, p, std::strlen(p)) < 0) break;
  ::_exit(128 + signal);
}

extern "C" void on_grace_over(int) { end_now(g_signal.load()); }

void arm_grace_timer() {
  itimerval t{};
  t.it_value.tv_usec = kGraceMicroseconds;
  ::setitimer(ITIMER_REAL, &t, nullptr);
}

extern "C" void on_stop_signal(int signal) {
  int none = 0;
  if (!g_signal.compare_exchange_strong(none, signal)) end_now(g_signal.load());  // asked twice
  arm_grace_timer();
}

void end_when_the_grace_is_over() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction sa{};
    sa.sa_handler = on_grace_over;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGALRM, &sa, nullptr);
  });
}

}  // namespace

Cancelled::Cancelled(int signal) : signal_(signal), what_(message(signal)) {}

void cancel_on_signals() {
  static std::once_flag once;
  std::call_once(once, [] {
    end_when_the_grace_is_over();
    for (int sig : {SIGINT, SIGTERM}) {
      struct sigaction old{};
      if (::sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) continue;
      struct sigaction sa{};
      sa.sa_handler = on_stop_signal;
      sigemptyset(&sa.sa_mask);
      ::sigaction(sig, &sa, nullptr);
    }
  });
}

void request_cancel(int signal) {
  end_when_the_grace_is_over();
  on_stop_signal(signal);
}

int cancel_requested() { return g_signal.load(std::memory_order_relaxed); }

void check_cancelled() {
  if (int sig = cancel_requested()) throw Cancelled(sig);
}

}  // namespace lmc
