#include "tools/serve/server_tools/builtin_tools.h"

#include <algorithm>
#include <stdexcept>

namespace lmc::tools::server_tools {
namespace {

class BuiltinTools final : public ToolProvider {
 public:
  explicit BuiltinTools(std::vector<std::unique_ptr<ServerTool>> tools) : tools_(std::move(tools)) {}
  std::vector<const ServerTool*> tools() const override {
    std::vector<const ServerTool*> out;
    for (const auto& t : tools_) out.push_back(t.get());
    return out;
  }

 private:
  std::vector<std::unique_ptr<ServerTool>> tools_;
};

}  // namespace

std::unique_ptr<ToolProvider> make_builtin_tools(const std::vector<std::string>& names) {
  std::vector<std::unique_ptr<ServerTool>> all;
  for (auto make : {make_read_file, make_file_glob_search, make_grep_search, make_exec_shell_command, make_write_file,
                    make_edit_file, make_get_info})
    all.push_back(make());
  std::string known;
  for (const auto& t : all) known += (known.empty() ? "" : ", ") + t->name;
  for (const std::string& n : names)
    if (n != "all" && std::none_of(all.begin(), all.end(), [&](const auto& t) { return t->name == n; }))
      throw std::invalid_argument("unknown tool \"" + n + "\"; the tools are all, " + known);
  const bool every = std::find(names.begin(), names.end(), "all") != names.end();
  std::vector<std::unique_ptr<ServerTool>> chosen;
  for (auto& t : all)
    if (every || std::find(names.begin(), names.end(), t->name) != names.end()) chosen.push_back(std::move(t));
  return std::make_unique<BuiltinTools>(std::move(chosen));
}

}  // namespace lmc::tools::server_tools
