#include "tools/serve/server_tools/tool_params.h"

namespace lmc::tools::server_tools {
namespace {

[[noreturn]] void wrong(const std::string& name, const char* expected) {
  throw ToolRefusal(400, "params." + name + " must be " + expected);
}

}  // namespace

std::string text_param(const json& params, const std::string& name) {
  if (!params.contains(name)) throw ToolRefusal(400, "params." + name + " is required (a string)");
  return text_param(params, name, "");
}

std::string text_param(const json& params, const std::string& name, const std::string& fallback) {
  auto it = params.find(name);
  if (it == params.end() || it->is_null()) return fallback;
  if (!it->is_string()) wrong(name, "a string");
  return it->get<std::string>();
}

int64_t int_param(const json& params, const std::string& name, int64_t fallback) {
  auto it = params.find(name);
  if (it == params.end() || it->is_null()) return fallback;
  if (!it->is_number_integer()) wrong(name, "an integer");
  return it->get<int64_t>();
}

bool bool_param(const json& params, const std::string& name, bool fallback) {
  auto it = params.find(name);
  if (it == params.end() || it->is_null()) return fallback;
  if (!it->is_boolean()) wrong(name, "true or false");
  return it->get<bool>();
}

}  // namespace lmc::tools::server_tools
