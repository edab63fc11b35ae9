// GET and POST /tools, llama-server's route to its built-in tools and MCP servers' ones
// (server_tools/): GET lists them, POST {"tool", "params", "stream"} calls one — answered whole
// ({"plain_text_response",
// ...} or the tool's {"error": "..."}, 200 both) or, "stream": true, as server-sent events
// {"chunk"} then {"done": true} (with "error" when it failed). A call runs on a thread of its
// own, so a long command holds no connection's thread; it ends when its client leaves or the
// server stops (its command's process group killed). Off unless --tools names some or MCP
// servers are given: the route then answers 403 as llama-server's.
#pragma once
#include <memory>

#include "tools/serve/engine/api_server.h"
#include "tools/serve/http/call_threads.h"
#include "tools/serve/http/http_server.h"
#include "tools/serve/server_tools/tool_set.h"

namespace lmc::tools {

class ToolsEndpoint {
 public:
  // Null when `opts` enable no tools. Throws lmc::Error naming --tools or --tools-runtime
  // when one is not what it should be.
  static std::unique_ptr<ToolsEndpoint> make(const ServeOptions& opts);
  explicit ToolsEndpoint(std::unique_ptr<server_tools::ToolSet> tools);
  // Ends the calls that run (their commands killed, their answers written) and takes no more.
  void stop() { calls_.stop(); }

  void list(http::Exchange& ex) const;
  void call(const http::Request& req, const std::shared_ptr<http::Exchange>& ex);

 private:
  std::unique_ptr<server_tools::ToolSet> tools_;
  CallThreads calls_;
};

// /tools on either server: the endpoint's answer, or 403 when it is null (no --tools). True
// when `req` is for /tools.
bool answer_tools_route(ToolsEndpoint* endpoint, const http::Request& req, const std::shared_ptr<http::Exchange>& ex);

}  // namespace lmc::tools
