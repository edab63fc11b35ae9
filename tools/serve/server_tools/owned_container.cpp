#include "tools/serve/server_tools/owned_container.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "tools/serve/server_tools/child_process.h"

extern char** environ;

namespace lmc::tools::server_tools {
namespace {

constexpr auto kStartWait = std::chrono::seconds(30);  // an image may be pulled first
constexpr auto kStopWait = std::chrono::seconds(10);

bool running(pid_t pid) {
  int status = 0;
  return pid > 0 && waitpid(pid, &status, WNOHANG) == 0;
}

}  // namespace

OwnedContainer::OwnedContainer(std::string engine, std::string image)
    : engine_(std::move(engine)), image_(std::move(image)) {
  start();
}

OwnedContainer::~OwnedContainer() { stop(); }

std::string OwnedContainer::spec() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!running(pid_)) {
    stop();
    start();
  }
  return engine_ + "-container:" + id_;
}

void OwnedContainer::start() {
  static std::atomic<int> serial{0};
  const std::string cidfile =
      (std::filesystem::temp_directory_path() /
       ("lmc-tools-runtime-" + std::to_string(getpid()) + "-" + std::to_string(serial++) + ".cid"))
          .string();
  std::filesystem::remove(cidfile);
  int in[2];
  if (pipe2(in, O_CLOEXEC) != 0) throw std::runtime_error(std::string("--tools-runtime: ") + std::strerror(errno));
  posix_spawn_file_actions_t act;
  posix_spawn_file_actions_init(&act);
  posix_spawn_file_actions_adddup2(&act, in[0], 0);
  posix_spawn_file_actions_addopen(&act, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&act, 2, "/dev/null", O_WRONLY, 0);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  std::vector<std::string> args = {engine_, "run", "--rm", "-i", "--cidfile", cidfile, image_, "sh"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const int e = posix_spawnp(&pid_, argv[0], &act, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&act);
  posix_spawnattr_destroy(&attr);
  close(in[0]);
  stdin_fd_ = in[1];
  const std::string what = "--tools-runtime " + engine_ + ":" + image_;
  if (e != 0) {
    pid_ = -1;
    stop();
    throw std::runtime_error(what + ": cannot run " + engine_ + ": " + std::strerror(e));
  }
  id_.clear();
  for (auto until = std::chrono::steady_clock::now() + kStartWait;
       id_.empty() && running(pid_) && std::chrono::steady_clock::now() < until;) {
    std::ifstream f(cidfile);
    if (!(f && std::getline(f, id_))) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::filesystem::remove(cidfile);
  if (id_.empty()) {
    stop();
    throw std::runtime_error(what + ": the container did not start");
  }
}

void OwnedContainer::stop() {
  if (stdin_fd_ >= 0) close(stdin_fd_);  // the shell reads its end and exits; --rm removes the container
  stdin_fd_ = -1;
  if (pid_ < 0) return;
  for (auto until = std::chrono::steady_clock::now() + kStopWait;
       running(pid_) && std::chrono::steady_clock::now() < until;)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  if (running(pid_)) {
    kill(-pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    if (!id_.empty()) run_command({{engine_, "rm", "-f", id_}, "", nullptr, false, 4096, kStopWait, nullptr, nullptr});
  }
  pid_ = -1;
}

}  // namespace lmc::tools::server_tools
