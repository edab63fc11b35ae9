#include "tools/serve/server_tools/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "support/exit_removals.h"
#include "tools/serve/server_tools/group_spawn.h"

namespace lmc::tools::server_tools {
namespace {

using Clock = std::chrono::steady_clock;

// The pipes' ends this process keeps, closed when the run ends.
struct Fd {
  int fd = -1;
  ~Fd() { close(); }
  void close() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

int exit_code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

class Run {
 public:
  Run(const CommandSpec& spec, CommandResult& r) : spec_(spec), r_(r) {}

  void start() {
    int out[2], in[2];
    if (pipe2(out, O_CLOEXEC) != 0 || pipe2(in, O_CLOEXEC) != 0) {
      r_.spawn_error = std::strerror(errno);
      return;
    }
    out_.fd = out[0];
    in_.fd = in[1];
    Fd child_out{out[1]}, child_in{in[0]};
    GroupSpawn how{spec_.argv,   child_in.fd,
                   child_out.fd, spec_.with_stderr ? GroupSpawn::Stderr::AsStdout : GroupSpawn::Stderr::Dropped,
                   spec_.cwd,    {}};
    const int e = spawn_in_group(how, &pid_);
    if (e != 0) {
      r_.spawn_error = spec_.argv[0] + ": " + std::strerror(e) + (spec_.cwd.empty() ? "" : " (in " + spec_.cwd + ")");
      pid_ = -1;
      return;
    }
    group_slot_ = kill_group_at_exit(pid_);  // killed too should a second signal end lmc serve at once
    fcntl(out_.fd, F_SETFL, O_NONBLOCK);
    fcntl(in_.fd, F_SETFL, O_NONBLOCK);
    if (!spec_.input || spec_.input->empty()) in_.close();
  }

  void wait() {
    if (pid_ < 0) return;
    const auto deadline = Clock::now() + spec_.timeout;
    bool exited = false;
    while (out_.fd >= 0 || !exited) {
      if (spec_.cancelled && spec_.cancelled->load()) break;
      if (Clock::now() >= deadline) {
        r_.timed_out = true;
        break;
      }
      if (!exited && reap(WNOHANG)) {
        exited = true;
        drain();  // what it wrote before it ended; a child it left holding the pipe is killed below
        break;
      }
      if (out_.fd < 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        continue;
      }
      pump(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
    }
    kill(-pid_, SIGKILL);  // the group: the command and whatever it started
    if (!exited) reap(0);
    keep_group_at_exit(group_slot_);
  }

 private:
  bool reap(int flags) {
    int status = 0;
    pid_t got;
    do got = waitpid(pid_, &status, flags);
    while (got < 0 && errno == EINTR);
    if (got != pid_) return false;
    r_.exit_code = exit_code_of(status);
    return true;
  }

  // Waits up to 100 ms (or `left`) for output or room for input, and moves what it can.
  void pump(std::chrono::milliseconds left) {
    pollfd fds[2] = {{out_.fd, POLLIN, 0}, {in_.fd, POLLOUT, 0}};
    const int n = in_.fd >= 0 ? 2 : 1;
    const int ms = static_cast<int>(std::max<int64_t>(0, std::min<int64_t>(100, left.count())));
    if (poll(fds, n, ms) <= 0) return;
    if (fds[0].revents) drain();
    if (n == 2 && fds[1].revents) feed();
  }

  void drain() {
    char buf[4096];
    while (out_.fd >= 0) {
      const ssize_t got = read(out_.fd, buf, sizeof buf);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) return;  // EAGAIN: nothing more for now
      if (got == 0) return out_.close();
      take(buf, static_cast<size_t>(got));
    }
  }

  void take(const char* p, size_t n) {
    const size_t room = spec_.max_output - std::min(spec_.max_output, r_.output.size());
    if (n > room) r_.truncated = true;
    n = std::min(n, room);
    if (n == 0) return;
    r_.output.append(p, n);
    if (spec_.on_chunk) spec_.on_chunk(std::string(p, n));
  }

  void feed() {
    const std::string& in = *spec_.input;
    while (in_.fd >= 0 && fed_ < in.size()) {
      const ssize_t put = write(in_.fd, in.data() + fed_, in.size() - fed_);
      if (put < 0 && errno == EINTR) continue;
      if (put < 0 && errno == EAGAIN) return;
      if (put < 0) return in_.close();  // it closed its stdin: the exit code says the rest
      fed_ += static_cast<size_t>(put);
    }
    in_.close();
  }

  const CommandSpec& spec_;
  CommandResult& r_;
  pid_t pid_ = -1;
  int group_slot_ = -1;  // in support/exit_removals.h's list
  Fd out_, in_;
  size_t fed_ = 0;
};

}  // namespace

CommandResult run_command(const CommandSpec& spec) {
  CommandResult r;
  Run run(spec, r);
  run.start();
  run.wait();
  return r;
}

}  // namespace lmc::tools::server_tools
