#include "tools/serve/server_tools/server_tool.h"

namespace lmc::tools::server_tools {

json ServerTool::to_json() const {
  return {{"display_name", display_name},       {"tool", name},         {"type", type()},
          {"permissions", {{"write", writes}}}, {"uses_cwd", uses_cwd}, {"definition", definition()}};
}

json function_definition(const std::string& name, const std::string& description, json properties,
                         std::vector<std::string> required) {
  json parameters = {{"type", "object"}, {"properties", std::move(properties)}};
  if (!required.empty()) parameters["required"] = required;
  return {{"type", "function"},
          {"function", {{"name", name}, {"description", description}, {"parameters", std::move(parameters)}}}};
}

}  // namespace lmc::tools::server_tools
