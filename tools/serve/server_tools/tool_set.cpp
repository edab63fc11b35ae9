#include "tools/serve/server_tools/tool_set.h"

#include <algorithm>
#include <stdexcept>

#include "tools/serve/server_tools/tool_runtime.h"

namespace lmc::tools::server_tools {

ToolSet::ToolSet(std::vector<std::unique_ptr<ToolProvider>> providers, const std::string& runtime)
    : providers_(std::move(providers)) {
  for (const auto& p : providers_)
    for (const ServerTool* t : p->tools()) {
      if (std::any_of(tools_.begin(), tools_.end(), [&](const ServerTool* o) { return o->name == t->name; }))
        throw std::invalid_argument("two tools are named \"" + t->name + "\"");
      tools_.push_back(t);
    }
  RuntimeSpec spec;
  try {
    spec = parse_runtime(runtime);
  } catch (const ToolRefusal& e) {
    throw std::invalid_argument(std::string("--tools-runtime: ") + e.what());
  }
  if (spec.kind == RuntimeSpec::Spawn)
    container_ = std::make_unique<OwnedContainer>(spec.engine, spec.arg);
  else
    runtime_ = runtime;
}

json ToolSet::list() const {
  json out = json::array();
  for (const ServerTool* t : tools_) out.push_back(t->to_json());
  return out;
}

ToolRequest ToolSet::request(const std::string& body, const std::string& cwd_header,
                             const std::string& runtime_header) {
  const json j = json::parse(body, nullptr, false);
  if (!j.is_object()) throw ToolRefusal(400, "the body must be a JSON object {\"tool\", \"params\"}");
  auto name = j.find("tool");
  if (name == j.end() || !name->is_string()) throw ToolRefusal(400, "\"tool\" is required (a tool's name)");
  ToolRequest r;
  auto params = j.find("params");
  if (params != j.end() && !params->is_null() && !params->is_object())
    throw ToolRefusal(400, "\"params\" must be an object");
  if (params != j.end() && params->is_object()) r.call.params = *params;
  auto stream = j.find("stream");
  if (stream != j.end() && !stream->is_boolean()) throw ToolRefusal(400, "\"stream\" must be true or false");
  r.stream = stream != j.end() && stream->get<bool>();
  const std::string tool = name->get<std::string>();
  auto t = std::find_if(tools_.begin(), tools_.end(), [&](const ServerTool* s) { return s->name == tool; });
  if (t == tools_.end()) throw ToolRefusal(404, "unknown tool \"" + tool + "\"");
  if (r.stream && !(*t)->streams) throw ToolRefusal(404, "tool \"" + tool + "\" does not support stream = true");
  r.tool = *t;
  // Where it runs is the client's to say, never the model's.
  r.call.params.erase("cwd");
  r.call.params.erase("runtime");
  r.call.cwd = cwd_header;
  r.call.runtime = !runtime_header.empty() ? runtime_header : container_ ? container_->spec() : runtime_;
  parse_runtime(r.call.runtime);  // a runtime that is not one fails the request (500), streamed or not
  return r;
}

}  // namespace lmc::tools::server_tools
