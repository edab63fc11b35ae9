// The tools' files and commands on this machine, relative paths against the call's working
// directory (x-tool-cwd) or the server's.
#pragma once
#include <memory>
#include <string>

#include "tools/serve/server_tools/tool_io.h"

namespace lmc::tools::server_tools {

std::unique_ptr<ToolIo> make_host_io(std::string cwd);

}  // namespace lmc::tools::server_tools
