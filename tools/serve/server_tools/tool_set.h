// The tools a server offers (GET /tools lists them, POST /tools calls one): its providers'
// tools — the built-in ones --tools enables, later MCP servers' — and the runtime
// --tools-runtime gives calls that name none. A call's request: {"tool", "params",
// "stream"}, with the client's x-tool-cwd and x-tool-runtime headers in place of any "cwd"
// or "runtime" the params (the model) give.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "tools/serve/server_tools/owned_container.h"
#include "tools/serve/server_tools/server_tool.h"

namespace lmc::tools::server_tools {

struct ToolRequest {
  const ServerTool* tool = nullptr;
  ToolCall call;
  bool stream = false;
};

class ToolSet {
 public:
  // Throws std::invalid_argument when `runtime` (--tools-runtime) is not one, or a tool's
  // name is taken twice; std::runtime_error when its container cannot start.
  ToolSet(std::vector<std::unique_ptr<ToolProvider>> providers, const std::string& runtime);
  json list() const;
  // A POST /tools body and its headers as a call; ToolRefusal: 400 for a body that is not
  // one, 404 for a tool there is not (or that does not stream, asked to).
  ToolRequest request(const std::string& body, const std::string& cwd_header, const std::string& runtime_header);

 private:
  std::vector<std::unique_ptr<ToolProvider>> providers_;
  std::vector<const ServerTool*> tools_;
  std::string runtime_;  // a call's without x-tool-runtime, when no container is owned
  std::unique_ptr<OwnedContainer> container_;
};

}  // namespace lmc::tools::server_tools
