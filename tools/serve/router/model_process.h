// One model's lmc serve, a child of the router: started in a process group of its own on a
// free port of this machine's loopback, its stderr the router's (its load summary and
// request lines show in the router's log), loaded once its /health answers. Stopped as
// llama-server stops its instances: SIGTERM (it finishes the answers it has begun, refuses
// new ones and exits), then SIGKILL to its group after a grace period. Should the router end
// by a signal, the group is killed with it (support/exit_removals.h).
#pragma once
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace lmc::tools {

// A model's server that ended before it answered (exit_code: 128 + N for signal N), could
// not start, or whose load was called off.
struct LoadFailure : std::runtime_error {
  LoadFailure(const std::string& why, int exit_code) : std::runtime_error(why), exit_code(exit_code) {}
  int exit_code;
};

class ModelProcess {
 public:
  // Runs `argv` with --port and a free port after it, and waits until it answers /health;
  // throws LoadFailure when it ends first or `cancelled` is set (it is stopped then).
  ModelProcess(std::vector<std::string> argv, const std::atomic<bool>& cancelled);
  ~ModelProcess();
  ModelProcess(const ModelProcess&) = delete;
  ModelProcess& operator=(const ModelProcess&) = delete;

  int port() const { return port_; }
  const std::vector<std::string>& argv() const { return argv_; }
  // Its exit code once it has ended (by itself or killed), nullopt while it runs.
  std::optional<int> ended();
  // SIGTERM, and SIGKILL to its group when it has not ended within `grace`; returns once it is reaped.
  void stop(std::chrono::seconds grace);

 private:
  bool reap(int flags);

  std::vector<std::string> argv_;
  int port_ = 0;
  pid_t pid_ = -1;
  int group_slot_ = -1;  // its place in the groups killed at a signal's end
  std::optional<int> exit_code_;
};

}  // namespace lmc::tools
