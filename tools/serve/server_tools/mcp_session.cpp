#include "tools/serve/server_tools/mcp_session.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

#include "support/exit_removals.h"
#include "tools/serve/server_tools/group_spawn.h"

extern char** environ;

namespace lmc::tools::server_tools {

namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds kSlice{50};
constexpr const char* kProtocol = "2024-11-05";
// A line no server sends: the bound keeps a server that writes without newlines from
// growing lmc's memory without end.
constexpr size_t kMaxLine = 64 << 20;

// lmc's environment with the config's variables set over it, as "NAME=value".
std::vector<std::string> environment_with(const std::vector<std::pair<std::string, std::string>>& set) {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    const std::string entry = *e;
    const std::string name = entry.substr(0, entry.find('='));
    if (std::none_of(set.begin(), set.end(), [&](const auto& s) { return s.first == name; })) env.push_back(entry);
  }
  for (const auto& [name, value] : set) env.push_back(name + "=" + value);
  return env;
}

int milliseconds_until(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::clamp<int64_t>(left.count(), 0, kSlice.count()));
}

std::string error_message(const json& error) {
  if (error.is_object() && error.contains("message") && error["message"].is_string())
    return error["message"].get<std::string>();
  return error.dump();
}

}  // namespace

McpSession::McpSession(const McpServerConfig& config, const StopCheck& stop) : config_(config) {
  try {
    spawn();
    request("initialize",
            {{"protocolVersion", kProtocol},
             {"capabilities", json::object()},
             {"clientInfo", {{"name", "lmc"}, {"version", "1.0"}}}},
            stop);
    send({{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}}, stop);
  } catch (...) {
    end();  // no destructor runs for a session that never was
    throw;
  }
}

McpSession::~McpSession() { end(); }

void McpSession::end() {
  if (to_server_ >= 0) ::close(to_server_);
  if (from_server_ >= 0) ::close(from_server_);
  to_server_ = from_server_ = -1;
  if (pid_ <= 0) return;
  ::kill(-pid_, SIGKILL);  // the group: the server and whatever it started
  while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
  }
  keep_group_at_exit(std::exchange(group_slot_, -1));
  pid_ = -1;
}

// In a process group of its own (group_spawn.h), stdin and stdout on pipes; stderr is lmc
// serve's log.
void McpSession::spawn() {
  int in[2], out[2];
  if (::pipe2(in, O_CLOEXEC) != 0) fail(std::string("cannot make a pipe: ") + std::strerror(errno));
  if (::pipe2(out, O_CLOEXEC) != 0) {
    ::close(in[0]);
    ::close(in[1]);
    fail(std::string("cannot make a pipe: ") + std::strerror(errno));
  }
  const int err = spawn_in_group(
      {config_.argv, in[0], out[1], GroupSpawn::Stderr::Inherited, config_.cwd, environment_with(config_.env)}, &pid_);
  ::close(in[0]);
  ::close(out[1]);
  to_server_ = in[1];
  from_server_ = out[0];
  if (err == 0) group_slot_ = kill_group_at_exit(pid_);  // killed too should a signal end lmc serve at once
  if (err != 0) {
    pid_ = -1;
    fail("cannot start '" + config_.argv[0] + "'" + (config_.cwd.empty() ? "" : " in " + config_.cwd) + ": " +
         std::strerror(err));
  }
  ::fcntl(to_server_, F_SETFL, O_NONBLOCK);
  ::fcntl(from_server_, F_SETFL, O_NONBLOCK);
}

json McpSession::request(const std::string& method, json params, const StopCheck& stop) {
  if (!usable_) fail("the server ended");
  deadline_ = Clock::now() + config_.timeout;
  const uint64_t id = next_id_++;
  send({{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}}, stop);
  json answer = answer_to(id, stop);
  if (answer.contains("error")) throw McpFailure(error_message(answer["error"]));
  return answer.value("result", json::object());
}

void McpSession::send(const json& message, const StopCheck& stop) {
  const std::string line = message.dump() + "\n";
  for (size_t sent = 0; sent < line.size();) {
    const ssize_t put = ::write(to_server_, line.data() + sent, line.size() - sent);
    if (put > 0) {
      sent += static_cast<size_t>(put);
      continue;
    }
    if (put < 0 && errno == EINTR) continue;
    if (put < 0 && errno != EAGAIN) fail("the server ended (it reads no more requests)");
    if (stop()) fail("cancelled");
    if (Clock::now() >= deadline_) fail("no room to write to the server within its timeout");
    pollfd p{to_server_, POLLOUT, 0};
    ::poll(&p, 1, milliseconds_until(deadline_));
  }
}

json McpSession::answer_to(uint64_t id, const StopCheck& stop) {
  std::string line;
  while (next_line(line, stop)) {
    json message = json::parse(line, nullptr, false);
    // A notification (no id), another request's late answer, or noise: not this answer.
    if (!message.is_object() || message.contains("method") || !message.contains("id")) continue;
    if (message["id"].is_number_unsigned() && message["id"].get<uint64_t>() == id) return message;
  }
  fail("the server ended before it answered");
}

// The next whole line the server wrote; false when it closed its output.
bool McpSession::next_line(std::string& line, const StopCheck& stop) {
  for (;;) {
    const size_t newline = pending_.find('\n');
    if (newline != std::string::npos) {
      line = pending_.substr(0, newline);
      pending_.erase(0, newline + 1);
      return true;
    }
    if (pending_.size() > kMaxLine) fail("the server wrote a line over 64 MiB");
    if (stop()) fail("cancelled");
    if (Clock::now() >= deadline_)
      fail("no answer within " + std::to_string(config_.timeout.count()) + " ms (its timeout_ms)");
    pollfd p{from_server_, POLLIN, 0};
    if (::poll(&p, 1, milliseconds_until(deadline_)) <= 0) continue;
    char buf[65536];
    const ssize_t got = ::read(from_server_, buf, sizeof buf);
    if (got == 0) return false;
    if (got < 0 && errno != EINTR && errno != EAGAIN) return false;
    if (got > 0) pending_.append(buf, static_cast<size_t>(got));
  }
}

void McpSession::fail(const std::string& why) {
  usable_ = false;
  throw McpFailure(why);
}

}  // namespace lmc::tools::server_tools
