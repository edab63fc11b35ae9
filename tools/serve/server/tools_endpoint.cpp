#include "tools/serve/server/tools_endpoint.h"

#include "support/error.h"
#include "tools/serve/answer/answer_json.h"
#include "tools/serve/answer/api_errors.h"
#include "tools/serve/server_tools/builtin_tools.h"
#include "tools/serve/server_tools/mcp_tools.h"

namespace lmc::tools {
namespace {

using nlohmann::json;
using server_tools::ToolRefusal;

constexpr size_t kMostCalls = 16;  // running at once; one more is a 503
constexpr std::chrono::seconds kKeepAlive{15};

void refuse(http::Exchange& ex, int status, const std::string& message) {
  send_json(ex, status, error_body(status, status_type(status), message));
}

// The call's answer, whole or as its stream's last event.
void finish(const server_tools::ToolRequest& r, const std::shared_ptr<http::Exchange>& ex) {
  int status = 200;
  json answer;
  try {
    answer = r.tool->invoke(r.call);
  } catch (const ToolRefusal& e) {
    status = e.status;
    answer = error_body(status, status_type(status), e.what());
  } catch (const std::exception& e) {
    status = 500;
    answer = error_body(status, "server_error", e.what());
  }
  if (!r.stream) return send_json(*ex, status, answer);
  json done = {{"done", true}};
  if (status != 200) done["error"] = answer["error"]["message"];
  ex->write(sse(done));
  ex->end_stream();
}

}  // namespace

std::unique_ptr<ToolsEndpoint> ToolsEndpoint::make(const ServeOptions& opts) {
  if (opts.tools.empty() && opts.mcp_servers.empty()) return nullptr;
  std::vector<std::unique_ptr<server_tools::ToolProvider>> providers;
  try {
    if (!opts.tools.empty()) providers.push_back(server_tools::make_builtin_tools(opts.tools));
  } catch (const std::invalid_argument& e) {
    throw Error(std::string("lmc serve: --tools: ") + e.what());
  }
  if (!opts.mcp_servers.empty()) providers.push_back(std::make_unique<server_tools::McpServers>(opts.mcp_servers));
  try {
    return std::make_unique<ToolsEndpoint>(
        std::make_unique<server_tools::ToolSet>(std::move(providers), opts.tools_runtime));
  } catch (const std::exception& e) {
    throw Error(std::string("lmc serve: ") + e.what());
  }
}

ToolsEndpoint::ToolsEndpoint(std::unique_ptr<server_tools::ToolSet> tools)
    : tools_(std::move(tools)), calls_(kMostCalls) {}

void ToolsEndpoint::list(http::Exchange& ex) const { send_json(ex, 200, tools_->list()); }

void ToolsEndpoint::call(const http::Request& req, const std::shared_ptr<http::Exchange>& ex) {
  server_tools::ToolRequest r;
  try {
    r = tools_->request(req.body, req.header("x-tool-cwd"), req.header("x-tool-runtime"));
  } catch (const ToolRefusal& e) {
    return refuse(*ex, e.status, e.what());
  }
  auto cancelled = std::make_shared<std::atomic<bool>>(false);
  r.call.cancelled = cancelled;
  const bool stream = r.stream;
  if (stream) r.call.on_chunk = [ex](const std::string& s) { ex->write(sse({{"chunk", s}})); };
  auto run = [r = std::move(r), ex] { finish(r, ex); };
  ex->on_gone([cancelled] { *cancelled = true; });
  if (stream)
    ex->open_stream("text/event-stream", ": waiting\n\n", kKeepAlive, [cancelled](bool whole) {
      if (!whole) *cancelled = true;
    });
  if (!calls_.launch(run, cancelled)) {
    const std::string busy =
        "too many tool calls run at once (" + std::to_string(kMostCalls) + "), or the server is stopping";
    if (!stream) return refuse(*ex, 503, busy);
    ex->write(sse({{"done", true}, {"error", busy}}));
    ex->end_stream();
  }
}

bool answer_tools_route(ToolsEndpoint* endpoint, const http::Request& req, const std::shared_ptr<http::Exchange>& ex) {
  if (req.path != "/tools") return false;
  if (!endpoint)
    send_json(*ex, 403,
              error_body(403, "feature_disabled",
                         "this feature is disabled: start lmc serve with --tools all (or --tools NAME,...) to "
                         "enable its built-in tools, or give MCP servers (--mcp-servers-json)"));
  else if (req.method == "GET")
    endpoint->list(*ex);
  else if (req.method == "POST")
    endpoint->call(req, ex);
  else
    refuse(*ex, 405, "/tools answers GET and POST");
  return true;
}

}  // namespace lmc::tools
