// The tools of the MCP servers lmc serve was given (--mcp-servers-json, --mcp-servers-config;
// tools/serve/engine/mcp_servers_config.h), listed and called through GET and POST /tools as
// SERVER_TOOL beside the built-in ones. Each server is started at once and asked for its
// tools; one that does not start or answer is left out with a line in the log and the others
// are served. A call goes to its server's session, started anew when the last one ended
// (a crash, a timeout); calls to one server take turns, since its stdio is one conversation,
// while calls to different servers run side by side.
#pragma once
#include <atomic>
#include <memory>
#include <vector>

#include "tools/serve/engine/mcp_servers_config.h"
#include "tools/serve/server_tools/server_tool.h"

namespace lmc::tools::server_tools {

class McpServers : public ToolProvider {
 public:
  explicit McpServers(const std::vector<McpServerConfig>& configs);
  ~McpServers() override;
  std::vector<const ServerTool*> tools() const override;
  // Ends every session; a call waiting on one answers an error at once.
  void stop();

  struct Server;

 private:
  std::vector<std::unique_ptr<Server>> servers_;
  std::vector<std::unique_ptr<ServerTool>> tools_;
  std::atomic<bool> stopping_{false};
};

// What a tools/call result says: its text parts joined as plain_text_response, or the error
// when the server marks it one.
json tool_answer_of(const json& result);

}  // namespace lmc::tools::server_tools
