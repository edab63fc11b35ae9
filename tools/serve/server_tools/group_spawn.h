// How the tools start a program (a command, an MCP server): in a process group of its own,
// so that killing the group ends it and whatever it started; with the signals a fresh
// process has (lmc serve ignores SIGPIPE, and an ignored signal would stay ignored across
// exec); stdin and stdout on the given descriptors, stderr as asked, no other descriptor of
// the server's (its sockets); in a folder and an environment of its own when given.
#pragma once
#include <sys/types.h>

#include <string>
#include <vector>

namespace lmc::tools::server_tools {

struct GroupSpawn {
  std::vector<std::string> argv;  // argv[0] looked up in PATH
  int stdin_fd = -1, stdout_fd = -1;
  enum class Stderr { Inherited, AsStdout, Dropped } stderr_to = Stderr::Inherited;
  std::string cwd;               // "": the server's
  std::vector<std::string> env;  // "NAME=value"; empty: the server's environment
};

// Starts it; 0 and its pid (its group's id) in `*pid`, or posix_spawnp's error number.
int spawn_in_group(const GroupSpawn& spec, pid_t* pid);

}  // namespace lmc::tools::server_tools
