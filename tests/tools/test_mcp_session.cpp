// lmc serve's MCP servers: their config as --mcp-servers-json gives it, and a session with a
// server (tests/e2e/mcp_fake_server.py under python3) through noise, errors, a death and a
// timeout.
#include <gtest/gtest.h>

#include <string>

#include "lmc_test_paths.h"
#include "support/error.h"
#include "tools/serve/engine/mcp_servers_config.h"
#include "tools/serve/server_tools/mcp_session.h"

namespace lmc::tools {
namespace {

using nlohmann::json;
using server_tools::McpFailure;
using server_tools::McpSession;

std::string error_of(const std::string& text) {
  try {
    parse_mcp_servers(text, "--mcp-servers-json");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(McpServersConfig, ReadsEveryField) {
  auto servers = parse_mcp_servers(R"({"mcpServers": {"fs": {"command": "mcp-fs", "args": ["--root", "/srv"],
      "env": {"A": "1"}, "cwd": "/tmp", "timeout_ms": 500}, "plain": {"command": "p"}}})",
                                   "x");
  ASSERT_EQ(servers.size(), 2u);
  EXPECT_EQ(servers[0].name, "fs");
  EXPECT_EQ(servers[0].argv, (std::vector<std::string>{"mcp-fs", "--root", "/srv"}));
  EXPECT_EQ(servers[0].env, (std::vector<std::pair<std::string, std::string>>{{"A", "1"}}));
  EXPECT_EQ(servers[0].cwd, "/tmp");
  EXPECT_EQ(servers[0].timeout.count(), 500);
  EXPECT_EQ(servers[1].timeout.count(), 30000);
  EXPECT_TRUE(parse_mcp_servers(R"({"other": 1})", "x").empty());
}

TEST(McpServersConfig, RefusalsNameThePlace) {
  EXPECT_EQ(error_of("{"), "--mcp-servers-json: error: not JSON");
  EXPECT_EQ(error_of("[]"), "--mcp-servers-json: error: expected an object with \"mcpServers\"");
  EXPECT_EQ(error_of(R"({"mcpServers": []})"),
            "--mcp-servers-json: mcpServers: error: expected an object of servers by name");
  EXPECT_EQ(error_of(R"({"mcpServers": {"s": {"args": []}}})"),
            "--mcp-servers-json: mcpServers.s.command: error: expected the command that starts the server, a string");
  EXPECT_EQ(error_of(R"({"mcpServers": {"s": {"command": "c", "args": [1]}}})"),
            "--mcp-servers-json: mcpServers.s.args: error: expected an array of strings, found 1");
  EXPECT_EQ(error_of(R"({"mcpServers": {"s": {"command": "c", "env": {"A": 1}}}})"),
            "--mcp-servers-json: mcpServers.s.env.A: error: expected a variable's name and a string");
  EXPECT_EQ(error_of(R"({"mcpServers": {"s": {"command": "c", "timeout_ms": -5}}})"),
            "--mcp-servers-json: mcpServers.s.timeout_ms: error: expected milliseconds from 1 to 86400000, got -5");
  EXPECT_EQ(error_of(R"({"mcpServers": {"": {"command": "c"}}})"),
            "--mcp-servers-json: mcpServers.: error: a server needs a name (its tools are NAME_TOOL)");
}

TEST(McpServersConfig, FlagsTogetherAndAMissingFile) {
  const std::string one = R"({"mcpServers": {"s": {"command": "c"}}})";
  try {
    mcp_servers_of_flags(&one, nullptr);
    const std::string file = "/no/such/mcp.json";
    mcp_servers_of_flags(nullptr, &file);
    FAIL() << "a missing file was read";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "/no/such/mcp.json: error: cannot read the MCP servers' config (--mcp-servers-config)");
  }
}

McpServerConfig fake_server(int timeout_ms = 10000) {
  McpServerConfig c;
  c.name = "fake";
  c.argv = {"python3", LMC_SOURCE_DIR "/tests/e2e/mcp_fake_server.py"};
  c.timeout = std::chrono::milliseconds(timeout_ms);
  return c;
}

const auto never = [] { return false; };

json call(McpSession& s, const std::string& tool, json args = json::object()) {
  return s.request("tools/call", {{"name", tool}, {"arguments", std::move(args)}}, never);
}

TEST(McpSession, AnswersThroughNotificationsAndNoise) {
  const McpServerConfig c = fake_server();
  McpSession s(c, never);
  EXPECT_EQ(s.request("tools/list", json::object(), never)["tools"][0]["name"], "echo");
  for (int i = 0; i < 20; ++i)  // ids stay matched over many requests
    EXPECT_EQ(call(s, "echo", {{"message", std::to_string(i)}})["content"][0]["text"], "echo: " + std::to_string(i));
}

TEST(McpSession, AnRpcErrorThrowsAndTheSessionGoesOn) {
  const McpServerConfig c = fake_server();
  McpSession s(c, never);
  EXPECT_THROW(call(s, "fail_first"), McpFailure);
  EXPECT_TRUE(s.usable());
  EXPECT_EQ(call(s, "fail_first")["content"][0]["text"], "ok");
}

TEST(McpSession, ADeathOrATimeoutEndsTheSession) {
  const McpServerConfig c = fake_server(1500);
  {
    McpSession s(c, never);
    EXPECT_THROW(call(s, "die"), McpFailure);
    EXPECT_FALSE(s.usable());
    EXPECT_THROW(call(s, "echo", {{"message", "x"}}), McpFailure);
  }
  McpSession s(c, never);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(call(s, "sleep", {{"seconds", 30}}), McpFailure);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_FALSE(s.usable());
}

TEST(McpSession, AStopEndsTheWaitAtOnce) {
  const McpServerConfig c = fake_server(60000);
  McpSession s(c, never);
  const auto start = std::chrono::steady_clock::now();
  const auto stop_after_a_second = [&] { return std::chrono::steady_clock::now() - start > std::chrono::seconds(1); };
  try {
    s.request("tools/call", {{"name", "sleep"}, {"arguments", {{"seconds", 30}}}}, stop_after_a_second);
    FAIL() << "the call was answered";
  } catch (const McpFailure& e) {
    EXPECT_STREQ(e.what(), "cancelled");
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST(McpSession, ACommandThatIsNotThereSaysSo) {
  McpServerConfig c = fake_server();
  c.argv = {"/no/such/mcp-server"};
  try {
    McpSession s(c, never);
    FAIL() << "it started";
  } catch (const McpFailure& e) {
    EXPECT_STREQ(e.what(), "cannot start '/no/such/mcp-server': No such file or directory");
  }
}

}  // namespace
}  // namespace lmc::tools
