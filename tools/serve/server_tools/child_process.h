// A command the tools run (a shell command, or one reaching into a container or over ssh):
// spawned with posix_spawn in a process group of its own, its output read through a pipe up
// to a bound (drained past it, so that the command never blocks on a full pipe), ended at a
// deadline or when the call is cancelled. Nothing outlives the run: the whole group is
// killed when the command ends, times out or is cancelled, so a command's background
// children never stay behind.
#pragma once
#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace lmc::tools::server_tools {

struct CommandSpec {
  std::vector<std::string> argv;  // argv[0] looked up in PATH
  std::string cwd;                // "": the server's
  const std::string* input = nullptr;  // written to its stdin (null: stdin at its end at once)
  bool with_stderr = true;             // stderr joins the output; else it is dropped
  size_t max_output = 16 * 1024;
  std::chrono::seconds timeout{10};
  std::function<void(const std::string&)> on_chunk;  // the output as it comes, up to max_output
  const std::atomic<bool>* cancelled = nullptr;
};

struct CommandResult {
  std::string output;  // up to max_output bytes
  int exit_code = -1;  // 128 + N when signal N ended it; -1 when it could not start
  bool timed_out = false;
  bool truncated = false;  // it wrote more than max_output
  std::string spawn_error;  // why it could not start
};

CommandResult run_command(const CommandSpec& spec);

}  // namespace lmc::tools::server_tools
