// The tools `lmc serve --tools` runs for its clients (llama-server's built-in tools, GET and
// POST /tools), and the interface every source of tools implements: the built-in ones
// (builtin_tools.h) and, later, MCP servers' — each a ToolProvider whose tools are listed and
// called through the same route.
#pragma once
#include <atomic>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace lmc::tools::server_tools {

using nlohmann::json;

// A request the route refuses as a whole, with its HTTP status: a missing or mistyped
// parameter (400), an unknown tool (404), a runtime that cannot be used (500). What a tool
// refuses once it runs (a file that is not there) is its answer's {"error": "..."} instead.
struct ToolRefusal : std::runtime_error {
  ToolRefusal(int status, const std::string& message) : std::runtime_error(message), status(status) {}
  int status;
};

// One call: the tool's parameters, where it runs (the client's x-tool-cwd and
// x-tool-runtime, or --tools-runtime), and how it ends early and streams.
struct ToolCall {
  json params = json::object();
  std::string cwd;      // "": the server's working directory
  std::string runtime;  // "": this machine; else an isolate ("docker-container:ID", "ssh:HOST")
  // Set when the client leaves or the server stops: a running command is killed.
  std::shared_ptr<const std::atomic<bool>> cancelled = std::make_shared<std::atomic<bool>>(false);
  // A streamed call's output as it comes (null: answered whole).
  std::function<void(const std::string&)> on_chunk;
};

class ServerTool {
 public:
  virtual ~ServerTool() = default;
  // What a model is told of it: OpenAI's {"type": "function", "function": {...}}.
  virtual json definition() const = 0;
  // Its answer: {"plain_text_response": ...}, other fields of its own, or {"error": "..."}.
  // A streamed call writes its output through ToolCall::on_chunk and answers null.
  virtual json invoke(const ToolCall& call) const = 0;
  virtual std::string type() const { return "server"; }
  // GET /tools' entry for it.
  json to_json() const;

  std::string name;
  std::string display_name;
  bool writes = false;    // it changes files or runs commands
  bool streams = false;   // POST /tools may ask for "stream": true
  bool uses_cwd = false;  // it reads x-tool-cwd
};

class ToolProvider {
 public:
  virtual ~ToolProvider() = default;
  virtual std::vector<const ServerTool*> tools() const = 0;
};

// OpenAI's function definition of a tool taking `properties`, `required` of them.
json function_definition(const std::string& name, const std::string& description, json properties,
                         std::vector<std::string> required);

}  // namespace lmc::tools::server_tools
