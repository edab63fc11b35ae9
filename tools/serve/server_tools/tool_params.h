// A tool call's parameters, read by name: a missing required one or one of the wrong type
// is a ToolRefusal (400) naming it, never a crash nor a silent default.
#pragma once
#include <cstdint>
#include <string>

#include "tools/serve/server_tools/server_tool.h"

namespace lmc::tools::server_tools {

std::string text_param(const json& params, const std::string& name);
std::string text_param(const json& params, const std::string& name, const std::string& fallback);
int64_t int_param(const json& params, const std::string& name, int64_t fallback);
bool bool_param(const json& params, const std::string& name, bool fallback);

// A tool's refusal once it runs: {"error": message}, answered 200 as llama-server's.
inline json tool_error(const std::string& message) { return {{"error", message}}; }

}  // namespace lmc::tools::server_tools
