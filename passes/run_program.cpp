#include "passes/run_program.h"

#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>

extern char** environ;

namespace lmc::passes {

ProgramResult run_program(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int err = ::posix_spawnp(&pid, args[0], nullptr, nullptr, args.data(), environ);
  if (err == ENOENT) return ProgramResult::NotFound;
  if (err != 0) return ProgramResult::Failed;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return ProgramResult::Failed;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? ProgramResult::Ok : ProgramResult::Failed;
}

}  // namespace lmc::passes
