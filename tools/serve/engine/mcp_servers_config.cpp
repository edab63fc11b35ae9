#include "tools/serve/engine/mcp_servers_config.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/error.h"

namespace lmc::tools {

namespace {

using json = nlohmann::json;

std::vector<std::string> string_list(const json& v, const std::string& where) {
  if (!v.is_array()) throw error_at(where, "expected an array of strings");
  std::vector<std::string> out;
  for (const json& s : v) {
    if (!s.is_string()) throw error_at(where, "expected an array of strings, found " + s.dump());
    out.push_back(s.get<std::string>());
  }
  return out;
}

McpServerConfig server_of(const std::string& name, const json& e, const std::string& where) {
  if (!e.is_object()) throw error_at(where, "expected an object with \"command\"");
  if (name.empty()) throw error_at(where, "a server needs a name (its tools are NAME_TOOL)");
  McpServerConfig c;
  c.name = name;
  const auto command = e.find("command");
  if (command == e.end() || !command->is_string() || command->get<std::string>().empty())
    throw error_at(where + ".command", "expected the command that starts the server, a string");
  c.argv.push_back(command->get<std::string>());
  if (e.contains("args"))
    for (std::string& a : string_list(e["args"], where + ".args")) c.argv.push_back(std::move(a));
  if (e.contains("env")) {
    if (!e["env"].is_object()) throw error_at(where + ".env", "expected an object of strings");
    for (const auto& [k, v] : e["env"].items()) {
      if (!v.is_string() || k.empty() || k.find('=') != std::string::npos)
        throw error_at(where + ".env." + k, "expected a variable's name and a string");
      c.env.emplace_back(k, v.get<std::string>());
    }
  }
  if (e.contains("cwd")) {
    if (!e["cwd"].is_string()) throw error_at(where + ".cwd", "expected a folder, a string");
    c.cwd = e["cwd"].get<std::string>();
  }
  if (e.contains("timeout_ms")) {
    const json& t = e["timeout_ms"];
    if (!t.is_number_integer() || t.get<int64_t>() < 1 || t.get<int64_t>() > 86'400'000)
      throw error_at(where + ".timeout_ms", "expected milliseconds from 1 to 86400000, got " + t.dump());
    c.timeout = std::chrono::milliseconds(t.get<int64_t>());
  }
  return c;
}

}  // namespace

std::vector<McpServerConfig> parse_mcp_servers(const std::string& text, const std::string& where) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) throw error_at(where, "not JSON");
  if (!j.is_object()) throw error_at(where, "expected an object with \"mcpServers\"");
  std::vector<McpServerConfig> out;
  const auto servers = j.find("mcpServers");
  if (servers == j.end()) return out;
  if (!servers->is_object()) throw error_at(where + ": mcpServers", "expected an object of servers by name");
  for (const auto& [name, e] : servers->items()) out.push_back(server_of(name, e, where + ": mcpServers." + name));
  return out;
}

std::vector<McpServerConfig> mcp_servers_of_flags(const std::string* json_text, const std::string* config_file) {
  std::vector<McpServerConfig> out;
  if (config_file) {
    std::ifstream f(*config_file);
    if (!f) throw error_at(*config_file, "cannot read the MCP servers' config (--mcp-servers-config)");
    std::ostringstream text;
    text << f.rdbuf();
    out = parse_mcp_servers(text.str(), *config_file);
  }
  if (json_text)
    for (McpServerConfig& c : parse_mcp_servers(*json_text, "--mcp-servers-json")) out.push_back(std::move(c));
  for (size_t i = 0; i < out.size(); ++i)
    for (size_t k = 0; k < i; ++k)
      if (out[i].name == out[k].name)
        throw Error("--mcp-servers-json, --mcp-servers-config: error: two MCP servers are named '" + out[i].name + "'");
  return out;
}

}  // namespace lmc::tools
