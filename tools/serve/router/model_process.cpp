#include "tools/serve/router/model_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "support/exit_removals.h"
#include "tools/serve/router/forward_request.h"
#include "tools/serve/server_tools/group_spawn.h"

namespace lmc::tools {

namespace {

using Clock = std::chrono::steady_clock;

// A port of the loopback no one listens on now. Another process may take it before the
// model's server does: that server then fails to bind, and the load fails with its message.
int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  const bool ok = fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  if (fd >= 0) ::close(fd);
  if (!ok) throw LoadFailure(std::string("no free port on 127.0.0.1: ") + std::strerror(errno), -1);
  return ntohs(addr.sin_port);
}

}  // namespace

ModelProcess::ModelProcess(std::vector<std::string> argv, const std::atomic<bool>& cancelled)
    : argv_(std::move(argv)), port_(free_port()) {
  argv_.insert(argv_.end(), {"--port", std::to_string(port_)});
  const int null_in = ::open("/dev/null", O_RDONLY | O_CLOEXEC), null_out = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  const server_tools::GroupSpawn how{argv_, null_in, null_out, server_tools::GroupSpawn::Stderr::Inherited, "", {}};
  const int err = server_tools::spawn_in_group(how, &pid_);
  ::close(null_in);
  ::close(null_out);
  if (err != 0) throw LoadFailure(argv_[0] + ": " + std::strerror(err), -1);
  group_slot_ = kill_group_at_exit(pid_);
  for (auto wait = std::chrono::milliseconds(20); probe_status(port_, "/health") != 200;) {
    if (ended()) throw LoadFailure("its lmc serve ended (exit code " + std::to_string(*exit_code_) + ")", *exit_code_);
    if (cancelled) {
      stop(std::chrono::seconds(0));
      throw LoadFailure("its load was called off", *exit_code_);
    }
    std::this_thread::sleep_for(wait);
    wait = std::min(wait * 2, std::chrono::milliseconds(200));
  }
}

ModelProcess::~ModelProcess() { stop(std::chrono::seconds(0)); }

bool ModelProcess::reap(int flags) {
  if (exit_code_) return true;
  int status = 0;
  pid_t got;
  do got = ::waitpid(pid_, &status, flags);
  while (got < 0 && errno == EINTR);
  if (got != pid_) return false;
  exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  ::kill(-pid_, SIGKILL);  // whatever it left behind in its group
  keep_group_at_exit(group_slot_);
  return true;
}

std::optional<int> ModelProcess::ended() {
  reap(WNOHANG);
  return exit_code_;
}

void ModelProcess::stop(std::chrono::seconds grace) {
  if (pid_ < 0 || exit_code_) return;
  ::kill(pid_, SIGTERM);
  const auto deadline = Clock::now() + grace;
  while (!reap(WNOHANG) && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  if (!exit_code_) ::kill(-pid_, SIGKILL);
  reap(0);
}

}  // namespace lmc::tools
