#include "tools/serve/server_tools/tool_runtime.h"

#include <algorithm>
#include <cctype>

#include "tools/serve/server_tools/host_io.h"
#include "tools/serve/server_tools/isolate_io.h"

namespace lmc::tools::server_tools {

bool valid_container_id(const std::string& id) {
  return !id.empty() && std::isalnum(static_cast<unsigned char>(id[0])) &&
         std::all_of(id.begin(), id.end(),
                     [](unsigned char c) { return std::isalnum(c) || c == '.' || c == '-' || c == '_'; });
}

bool valid_ssh_target(const std::string& target) {
  return !target.empty() && target[0] != '-' && std::all_of(target.begin(), target.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '.' || c == '-' || c == '_' || c == '@';
  });
}

RuntimeSpec parse_runtime(const std::string& spec) {
  if (spec.empty()) return {};
  for (const char* engine : {"docker", "podman"}) {
    const std::string attach = std::string(engine) + "-container:", spawn = std::string(engine) + ":";
    if (spec.rfind(attach, 0) == 0) {
      RuntimeSpec r{RuntimeSpec::Attach, engine, spec.substr(attach.size())};
      if (!valid_container_id(r.arg)) throw ToolRefusal(500, "invalid container id: " + r.arg);
      return r;
    }
    if (spec.rfind(spawn, 0) == 0) {
      RuntimeSpec r{RuntimeSpec::Spawn, engine, spec.substr(spawn.size())};
      if (r.arg.empty()) throw ToolRefusal(500, "tool runtime " + spawn + "IMAGE needs an image name");
      return r;
    }
  }
  if (spec.rfind("ssh:", 0) == 0) {
    RuntimeSpec r{RuntimeSpec::Ssh, "", spec.substr(4)};
    if (!valid_ssh_target(r.arg)) throw ToolRefusal(500, "invalid ssh target: " + r.arg);
    return r;
  }
  throw ToolRefusal(500, "unknown tool runtime: " + spec);
}

std::unique_ptr<ToolIo> make_tool_io(const ToolCall& call) {
  const RuntimeSpec r = parse_runtime(call.runtime);
  switch (r.kind) {
    case RuntimeSpec::Host:
      return make_host_io(call.cwd);
    case RuntimeSpec::Attach:
      return make_container_io(r.engine, r.arg, call.cwd);
    case RuntimeSpec::Ssh:
      return make_ssh_io(r.arg, call.cwd);
    case RuntimeSpec::Spawn:
      break;
  }
  throw ToolRefusal(500, "tool runtime must name a running container: " + call.runtime);
}

}  // namespace lmc::tools::server_tools
