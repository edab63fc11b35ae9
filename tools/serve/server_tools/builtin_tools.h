// llama-server's built-in tools, as `--tools all|NAME,...` enables them: read_file,
// file_glob_search, grep_search, exec_shell_command, write_file, edit_file, get_info. Each
// runs where its call says (tool_runtime.h); none is on unless named.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "tools/serve/server_tools/server_tool.h"

namespace lmc::tools::server_tools {

// The tools `names` lists ("all": every one), in llama-server's order. Throws
// std::invalid_argument naming an unknown one and the tools there are.
std::unique_ptr<ToolProvider> make_builtin_tools(const std::vector<std::string>& names);

// Each tool (file_tools.cpp, search_tools.cpp, shell_tools.cpp).
std::unique_ptr<ServerTool> make_read_file();
std::unique_ptr<ServerTool> make_file_glob_search();
std::unique_ptr<ServerTool> make_grep_search();
std::unique_ptr<ServerTool> make_exec_shell_command();
std::unique_ptr<ServerTool> make_write_file();
std::unique_ptr<ServerTool> make_edit_file();
std::unique_ptr<ServerTool> make_get_info();

}  // namespace lmc::tools::server_tools
