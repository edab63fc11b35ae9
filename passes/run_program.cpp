#include "passes/run_program.h"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "support/anonymous_file.h"

extern char** environ;

namespace lmc::passes {

namespace {

// Spawns `argv` with `actions`, waits for it, and gives its exit status in `*status`.
ProgramResult spawn_and_wait(const std::vector<std::string>& argv, const posix_spawn_file_actions_t* actions,
                             int* status) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int err = ::posix_spawnp(&pid, args[0], actions, nullptr, args.data(), environ);
  if (err == ENOENT) return ProgramResult::NotFound;
  if (err != 0) return ProgramResult::Failed;
  int wait_status = 0;
  while (::waitpid(pid, &wait_status, 0) < 0)
    if (errno != EINTR) return ProgramResult::Failed;
  int code = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 128 + WTERMSIG(wait_status);
  if (status) *status = code;
  return code == 0 ? ProgramResult::Ok : ProgramResult::Failed;
}

}  // namespace

ProgramResult run_program(const std::vector<std::string>& argv, int* status) {
  return spawn_and_wait(argv, nullptr, status);
}

// Into a memory file rather than a pipe: the program never waits on a full pipe while lmc
// waits for it to end.
ProgramOutput program_output(const std::vector<std::string>& argv) {
  runtime::AnonymousFile out;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out.fd(), STDOUT_FILENO);
  ProgramOutput r{spawn_and_wait(argv, &actions, nullptr), ""};
  posix_spawn_file_actions_destroy(&actions);
  if (r.result == ProgramResult::Ok) r.out = out.contents();
  return r;
}

}  // namespace lmc::passes
