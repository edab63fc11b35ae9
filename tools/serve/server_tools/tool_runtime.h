// Where a tool call runs, as llama-server's x-tool-runtime header and --tools-runtime name it:
// "" this machine; "docker-container:ID" / "podman-container:ID" a running container;
// "ssh:TARGET" a host over ssh; "docker:IMAGE" / "podman:IMAGE" (--tools-runtime only) a
// container the server starts and stops. A name that could be read as an option by
// docker, podman or ssh (a leading '-') is refused, and so is an unknown scheme: a call
// that asked for an isolate never falls back to this machine.
#pragma once
#include <memory>
#include <string>

#include "tools/serve/server_tools/server_tool.h"
#include "tools/serve/server_tools/tool_io.h"

namespace lmc::tools::server_tools {

struct RuntimeSpec {
  enum Kind { Host, Attach, Spawn, Ssh } kind = Host;
  std::string engine;  // docker or podman
  std::string arg;     // the container's id, the image, the ssh target
};

// Throws ToolRefusal (500) with llama-server's words: "unknown tool runtime: ...",
// "invalid container id: ...", "invalid ssh target: ...".
RuntimeSpec parse_runtime(const std::string& spec);
bool valid_container_id(const std::string& id);
bool valid_ssh_target(const std::string& target);

// The files and commands of `call` (its cwd and runtime; a call only attaches to a
// container: starting one is --tools-runtime's).
std::unique_ptr<ToolIo> make_tool_io(const ToolCall& call);

}  // namespace lmc::tools::server_tools
