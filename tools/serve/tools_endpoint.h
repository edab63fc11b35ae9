// GET and POST /tools, llama-server's route to its built-in tools (server_tools/): GET lists
// them, POST {"tool", "params", "stream"} calls one — answered whole ({"plain_text_response",
// ...} or the tool's {"error": "..."}, 200 both) or, "stream": true, as server-sent events
// {"chunk"} then {"done": true} (with "error" when it failed). A call runs on a thread of its
// own, so a long command holds no connection's thread; it ends when its client leaves or the
// server stops (its command's process group killed). Off unless --tools names some: the
// route then answers 403 as llama-server's.
#pragma once
#include <atomic>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <thread>

#include "tools/lmc/serve/api_server.h"
#include "tools/serve/http_server.h"
#include "tools/serve/server_tools/tool_set.h"

namespace lmc::tools {

class ToolsEndpoint {
 public:
  // Null when `opts` enable no tools. Throws lmc::Error naming --tools or --tools-runtime
  // when one is not what it should be.
  static std::unique_ptr<ToolsEndpoint> make(const ServeOptions& opts);
  explicit ToolsEndpoint(std::unique_ptr<server_tools::ToolSet> tools) : tools_(std::move(tools)) {}
  ~ToolsEndpoint();  // stop(), then waits for the calls to end
  // Ends the calls that run (their commands killed, their answers written) and takes no more.
  void stop();

  void list(http::Exchange& ex) const;
  void call(const http::Request& req, const std::shared_ptr<http::Exchange>& ex);

 private:
  struct Worker {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> cancelled, done;
  };
  // Runs `work` on a thread of its own; false when too many calls run already.
  bool launch(std::function<void()> work, std::shared_ptr<std::atomic<bool>> cancelled);

  std::unique_ptr<server_tools::ToolSet> tools_;
  std::mutex mutex_;
  std::list<Worker> workers_;
  bool stopping_ = false;
};

// /tools on either server: the endpoint's answer, or 403 when it is null (no --tools). True
// when `req` is for /tools.
bool answer_tools_route(ToolsEndpoint* endpoint, const http::Request& req, const std::shared_ptr<http::Exchange>& ex);

}  // namespace lmc::tools
