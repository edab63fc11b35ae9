// exec_shell_command and get_info (builtin_tools.h).
#include <algorithm>
#include <filesystem>

#include "tools/serve/server_tools/builtin_tools.h"
#include "tools/serve/server_tools/tool_params.h"
#include "tools/serve/server_tools/tool_runtime.h"

namespace lmc::tools::server_tools {
namespace {

constexpr int64_t kMostOutput = 16 * 1024;
constexpr int64_t kMostSeconds = 60;

std::string stripped(const std::string& s) {
  const size_t first = s.find_first_not_of(" \t\r\n"), last = s.find_last_not_of(" \t\r\n");
  return first == std::string::npos ? "" : s.substr(first, last - first + 1);
}

class ExecShellCommand final : public ServerTool {
 public:
  ExecShellCommand() {
    name = "exec_shell_command", display_name = "Execute shell command", uses_cwd = true, writes = true, streams = true;
  }

  json definition() const override {
    return function_definition(
        name, "Execute a shell command and return its output (stdout and stderr combined).",
        {{"command", {{"type", "string"}, {"description", "Shell command to execute"}}},
         {"timeout",
          {{"type", "integer"},
           {"description", "Timeout in seconds (default 10, max " + std::to_string(kMostSeconds) + ")"}}},
         {"max_output_size",
          {{"type", "integer"},
           {"description", "Maximum output size in bytes (default " + std::to_string(kMostOutput) + ")"}}}},
        {"command"});
  }

  json invoke(const ToolCall& call) const override {
    CommandSpec spec;
    spec.argv = {"sh", "-c", text_param(call.params, "command")};
    spec.timeout = std::chrono::seconds(std::clamp<int64_t>(int_param(call.params, "timeout", 10), 1, kMostSeconds));
    spec.max_output = static_cast<size_t>(
        std::clamp<int64_t>(int_param(call.params, "max_output_size", kMostOutput), 0, kMostOutput));
    spec.on_chunk = call.on_chunk;
    spec.cancelled = call.cancelled.get();
    const CommandResult r = make_tool_io(call)->run(spec);
    std::string tail;
    if (!r.spawn_error.empty()) tail += "failed to start: " + r.spawn_error;
    if (r.truncated) tail += "\n[output truncated]";
    tail += "\n[exit code: " + std::to_string(r.exit_code) + "]";
    if (r.timed_out) tail += " [exit due to timed out]";
    if (!call.on_chunk) return {{"plain_text_response", r.output + tail}};
    call.on_chunk(tail);
    return nullptr;
  }
};

class GetInfo final : public ServerTool {
 public:
  GetInfo() { name = "get_info", display_name = "Get Runtime Info", uses_cwd = true; }

  json definition() const override {
    return function_definition(name, "Returns runtime info: the OS name/version and the current working directory",
                               json::object(), {});
  }

  json invoke(const ToolCall& call) const override {
    const auto io = make_tool_io(call);
    auto ask = [&](std::vector<std::string> argv) {
      CommandSpec spec;
      spec.argv = std::move(argv);
      spec.max_output = 4096;
      spec.timeout = std::chrono::seconds(5);
      spec.cancelled = call.cancelled.get();
      const CommandResult r = io->run(spec);
      return r.exit_code == 0 && !r.timed_out ? stripped(r.output) : std::string("unknown");
    };
    std::string cwd = call.cwd;
    if (cwd.empty() && call.runtime.empty()) {
      std::error_code ec;
      cwd = std::filesystem::current_path(ec).string();
    } else if (cwd.empty()) {
      cwd = ask({"pwd"});
    }
    return {{"os", ask({"uname", "-a"})}, {"cwd", cwd}};
  }
};

}  // namespace

std::unique_ptr<ServerTool> make_exec_shell_command() { return std::make_unique<ExecShellCommand>(); }
std::unique_ptr<ServerTool> make_get_info() { return std::make_unique<GetInfo>(); }

}  // namespace lmc::tools::server_tools
