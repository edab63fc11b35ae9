// Ctrl-C (SIGINT) and SIGTERM as a request to stop, answered within a second at any stage.
// The signal handler only sets a flag; the long loops (passes, kernels generated, weights
// packed, file digests, every executor step) call check_cancelled() at their checkpoints,
// which throws Cancelled once the flag is set. The exception unwinds the command, so every
// PendingFile removes its temporary and every lock is released, and lmc exits 128 + the
// signal (130, 143) with one line. A stage with no checkpoint for a while (LLVM emitting
// one big object) is not waited for: 0.6 s after the signal, or at a second signal, the
// process removes its pending files and ends at once.
#pragma once
#include <exception>
#include <string>

namespace lmc {

// Not an lmc::Error, so that the many places that catch an Error to carry on without an
// optional part (a cache entry, a dump) let it pass.
class Cancelled : public std::exception {
 public:
  explicit Cancelled(int signal);
  const char* what() const noexcept override { return what_.c_str(); }
  int signal() const { return signal_; }
  int exit_code() const { return 128 + signal_; }

 private:
  int signal_;
  std::string what_;  // "interrupted (SIGINT)"
};

// Makes SIGINT and SIGTERM ask the running command to stop (not a signal the process was
// told to ignore, as under nohup). Once per process, before any thread is started.
void cancel_on_signals();
// Asks the running command to stop as the signal `signal` would: for a thread that takes
// the signals itself (lmc serve's sigwait, before it serves).
void request_cancel(int signal);
// The signal that asked to stop, or 0.
int cancel_requested();
// The checkpoint: throws Cancelled once a stop was asked for.
void check_cancelled();

}  // namespace lmc
