#include "tools/serve/server_tools/mcp_tools.h"

#include <cstdio>
#include <mutex>

#include "tools/serve/server_tools/mcp_session.h"

namespace lmc::tools::server_tools {

struct McpServers::Server {
  McpServerConfig config;
  std::mutex turn;  // one request at a time on its stdio
  std::unique_ptr<McpSession> session;
};

namespace {

// An MCP tool as OpenAI's function: its inputSchema the parameters (an object with
// properties, as a model's tool call needs, when the server gives none).
json definition_of(const std::string& name, const json& tool) {
  json parameters = tool.value("inputSchema", json::object());
  if (!parameters.is_object()) parameters = json::object();
  if (!parameters.contains("type")) parameters["type"] = "object";
  if (!parameters.contains("properties")) parameters["properties"] = json::object();
  return {{"type", "function"},
          {"function",
           {{"name", name}, {"description", tool.value("description", "")}, {"parameters", std::move(parameters)}}}};
}

class McpTool : public ServerTool {
 public:
  McpTool(McpServers::Server& server, const json& tool, const std::atomic<bool>& stopping)
      : server_(server), bare_(tool.at("name").get<std::string>()), stopping_(stopping) {
    name = server.config.name + "_" + bare_;
    display_name = server.config.name + ": " + bare_;
    definition_ = definition_of(name, tool);
  }
  json definition() const override { return definition_; }
  std::string type() const override { return "mcp"; }

  json invoke(const ToolCall& call) const override {
    const auto stop = [&] { return stopping_.load() || (call.cancelled && call.cancelled->load()); };
    std::lock_guard<std::mutex> turn(server_.turn);
    try {
      if (!server_.session || !server_.session->usable())
        server_.session = std::make_unique<McpSession>(server_.config, stop);
      return tool_answer_of(
          server_.session->request("tools/call", {{"name", bare_}, {"arguments", call.params}}, stop));
    } catch (const McpFailure& e) {
      return {{"error", "MCP server '" + server_.config.name + "', tool '" + bare_ + "': " + e.what()}};
    }
  }

 private:
  McpServers::Server& server_;
  std::string bare_;
  json definition_;
  const std::atomic<bool>& stopping_;
};

}  // namespace

json tool_answer_of(const json& result) {
  std::string text;
  if (result.is_object() && result.contains("content") && result["content"].is_array())
    for (const json& part : result["content"])
      if (part.is_object() && part.value("type", "") == "text" && part.contains("text") && part["text"].is_string())
        text += (text.empty() ? "" : "\n") + part["text"].get<std::string>();
  if (result.is_object() && result.value("isError", false))
    return {{"error", text.empty() ? "the MCP tool answered an error" : text}};
  return {{"plain_text_response", text}};
}

McpServers::McpServers(const std::vector<McpServerConfig>& configs) {
  const auto stop = [this] { return stopping_.load(); };
  for (const McpServerConfig& config : configs) {
    auto server = std::make_unique<Server>();
    server->config = config;
    try {
      server->session = std::make_unique<McpSession>(server->config, stop);
      const json listed = server->session->request("tools/list", json::object(), stop);
      if (!listed.contains("tools") || !listed["tools"].is_array())
        throw McpFailure("its tools/list answer has no \"tools\" array");
      size_t served = 0;
      for (const json& tool : listed["tools"])
        if (tool.is_object() && tool.contains("name") && tool["name"].is_string() && ++served)
          tools_.push_back(std::make_unique<McpTool>(*server, tool, stopping_));
      std::fprintf(stderr, "lmc: MCP server '%s': %zu tools\n", config.name.c_str(), served);
    } catch (const McpFailure& e) {
      std::fprintf(stderr, "lmc: MCP server '%s' left out: %s\n", config.name.c_str(), e.what());
    }
    servers_.push_back(std::move(server));
  }
}

McpServers::~McpServers() { stop(); }

std::vector<const ServerTool*> McpServers::tools() const {
  std::vector<const ServerTool*> out;
  for (const auto& t : tools_) out.push_back(t.get());
  return out;
}

void McpServers::stop() {
  stopping_ = true;
  for (const auto& server : servers_) {
    std::lock_guard<std::mutex> turn(server->turn);  // a waiting call sees stopping_ within a slice
    server->session.reset();
  }
}

}  // namespace lmc::tools::server_tools
