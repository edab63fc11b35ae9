// The MCP servers `lmc serve` starts for their tools (llama-server's --mcp-servers-json TEXT
// and --mcp-servers-config FILE), in the "mcpServers" form Claude Desktop and Cursor write:
//   {"mcpServers": {"NAME": {"command": "...", "args": [...], "env": {...}, "cwd": "...",
//                            "timeout_ms": 30000}}}
// Read once at start: a config that does not read is an error naming where and what, and the
// server does not start on it (as llama-server refuses it). A server's tools are served as
// NAME_TOOL (tools/serve/server_tools/mcp_tools.h).
#pragma once
#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace lmc::tools {

struct McpServerConfig {
  std::string name;
  std::vector<std::string> argv;  // the command, then its args; argv[0] looked up in PATH
  std::vector<std::pair<std::string, std::string>> env;  // set over lmc's own environment
  std::string cwd;                                       // "": lmc's
  std::chrono::milliseconds timeout{30'000};             // a call's answer within this
};

// `text` is the JSON; `where` names it in errors (the flag, or the file). No "mcpServers":
// no servers.
std::vector<McpServerConfig> parse_mcp_servers(const std::string& text, const std::string& where);

// The servers of the flags (either or both; none: none). Throws lmc::Error naming the flag or
// the file.
std::vector<McpServerConfig> mcp_servers_of_flags(const std::string* json_text, const std::string* config_file);

}  // namespace lmc::tools
