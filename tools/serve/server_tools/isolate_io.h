// The tools' files and commands in an isolate reached by commands: a running container
// (`docker|podman exec ID ...`) or a host over ssh (key-based, a host key trusted
// beforehand: there is no one to answer a prompt). Each file operation is a POSIX command
// there (sh, cat, wc, mkdir, find, timeout); paths are POSIX paths of the isolate. ssh is
// remoting, not isolation: the tools can do what the target's account can.
#pragma once
#include <memory>
#include <string>

#include "tools/serve/server_tools/tool_io.h"

namespace lmc::tools::server_tools {

std::unique_ptr<ToolIo> make_container_io(std::string engine, std::string container_id, std::string cwd);
std::unique_ptr<ToolIo> make_ssh_io(std::string target, std::string cwd);

// `argv` as one word list a POSIX shell reads back into exactly `argv` (ssh's remote
// command is read by a shell).
std::string shell_quoted(const std::vector<std::string>& argv);

}  // namespace lmc::tools::server_tools
