// One running MCP server: its process, in a process group of its own with stdin and stdout
// on pipes (stderr is lmc serve's log), and JSON-RPC 2.0 over them, a message a line (MCP's
// stdio transport). Answers are matched to requests by id; notifications, answers to other
// ids and lines that are not JSON are passed over. A request waits in slices of 50 ms, so
// that a stopping server or a client that left ends the wait at once rather than at the
// call's timeout. Ending the session kills the whole group: a server that left children
// holding its pipes never keeps lmc waiting for their end.
#pragma once
#include <sys/types.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "tools/serve/engine/mcp_servers_config.h"

namespace lmc::tools::server_tools {

// Why a request got no result: the server's own error, a timeout, its end, a stop.
struct McpFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class McpSession {
 public:
  using StopCheck = std::function<bool()>;
  // Starts the server and does MCP's handshake (initialize, then notifications/initialized).
  // Throws McpFailure saying why it could not.
  McpSession(const McpServerConfig& config, const StopCheck& stop);
  ~McpSession();
  McpSession(const McpSession&) = delete;
  McpSession& operator=(const McpSession&) = delete;

  // False once the process ended or a request was left unanswered: the next call starts
  // the server anew.
  bool usable() const { return usable_; }
  // A request's result within the server's timeout; throws McpFailure.
  nlohmann::json request(const std::string& method, nlohmann::json params, const StopCheck& stop);

 private:
  void spawn();
  void end();
  void send(const nlohmann::json& message, const StopCheck& stop);
  nlohmann::json answer_to(uint64_t id, const StopCheck& stop);
  bool next_line(std::string& line, const StopCheck& stop);
  [[noreturn]] void fail(const std::string& why);

  const McpServerConfig& config_;
  pid_t pid_ = -1;
  int group_slot_ = -1;  // in support/exit_removals.h's list
  int to_server_ = -1, from_server_ = -1;
  std::string pending_;  // read, not yet a whole line
  uint64_t next_id_ = 1;
  bool usable_ = true;
  std::chrono::steady_clock::time_point deadline_;
};

}  // namespace lmc::tools::server_tools
