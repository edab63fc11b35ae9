#include "tools/serve/server_tools/tool_io.h"

#include <algorithm>

namespace lmc::tools::server_tools {

const std::vector<std::string> kJunkDirs = {".git", ".svn",  ".hg",    "node_modules", "__pycache__", ".venv",  "venv",
                                            "dist", "build", "target", ".cache",       ".idea",       ".vscode"};

int depth_of(const std::string& rel) { return 1 + static_cast<int>(std::count(rel.begin(), rel.end(), '/')); }

}  // namespace lmc::tools::server_tools
