#include "tools/serve/tool_calls.h"

#include <algorithm>
#include <set>

#include "structured/schema_compiler.h"
#include "tools/serve/request_fields.h"
#include "tools/serve/serve_request.h"

namespace lmc::tools {

namespace {

using Json = nlohmann::ordered_json;

// Whether object `v` has `key` at the string `value` (other types are not it, not an error).
bool has(const Json& v, const char* key, const char* value) {
  auto it = v.find(key);
  return it != v.end() && it->is_string() && *it == value;
}

// A tool without parameters takes none: its arguments are an empty object.
Json parameters_of(const Json& function) {
  auto it = function.find("parameters");
  return it == function.end() ? Json{{"type", "object"}, {"properties", Json::object()}} : *it;
}

Json checked_tool(const Json& t, const std::string& at) {
  if (!t.is_object() || !has(t, "type", "function") || !t.contains("function") || !t["function"].is_object())
    invalid_field(at, "'" + at + "' must be {\"type\": \"function\", \"function\": {...}}");
  only_fields(t, at, {"type", "function"});
  const Json& f = t["function"];
  const std::string fat = at + ".function";
  only_fields(f, fat, {"name", "description", "parameters", "strict"});
  check_name_description_strict(f, fat);
  if (f.contains("parameters") && !f["parameters"].is_object())
    invalid_field(fat + ".parameters", "'" + fat + ".parameters' must be a JSON schema object");
  compiled_schema(parameters_of(f), fat + ".parameters");  // refused now, not when a call is decoded under it
  return t;
}

void parse_choice(const Json& v, ToolOptions& o) {
  if (v.is_string() && (v == "auto" || v == "none" || v == "required")) {
    o.choice = v.get<std::string>();
    return;
  }
  if (!v.is_object() || !has(v, "type", "function") || !v.contains("function") || !v["function"].is_object() ||
      !v["function"].contains("name") || !v["function"]["name"].is_string())
    invalid_field("tool_choice", "'tool_choice' must be \"auto\", \"none\", \"required\" or "
                           "{\"type\": \"function\", \"function\": {\"name\": ...}}");
  o.choice = "function";
  o.name = v["function"]["name"].get<std::string>();
  for (const Json& t : o.tools)
    if (t["function"]["name"] == o.name) return;
  invalid_field("tool_choice", "'tool_choice' names the function '" + o.name + "', which is not in 'tools'");
}

const Json* field(const Json& body, const char* name) {
  auto it = body.find(name);
  return it == body.end() || it->is_null() ? nullptr : &*it;
}

Json call_schema(const Json& function) {
  return {{"type", "object"},
          {"properties", {{"name", {{"const", function["name"]}}}, {"arguments", parameters_of(function)}}},
          {"required", {"name", "arguments"}}};
}

std::optional<Json> parsed(const std::string& text) {
  Json v = Json::parse(text, nullptr, false);
  if (v.is_discarded()) return std::nullopt;
  return v;
}

// The call in free text: the JSON inside the first <tool_call> block; an answer completed
// under the schema ends where the JSON does, before the closing tag.
std::optional<Json> call_in_text(const std::string& text) {
  const std::string open = "<tool_call>", close = "</tool_call>";
  const size_t at = text.find(open);
  if (at == std::string::npos) return std::nullopt;
  const size_t end = text.find(close, at);
  return parsed(text.substr(at + open.size(), end == std::string::npos ? end : end - at - open.size()));
}

}  // namespace

ToolOptions parse_tools(const Json& body) {
  ToolOptions o;
  if (const Json* v = field(body, "tools")) {
    if (!v->is_array()) invalid_field("tools", "'tools' must be an array");
    std::set<std::string> names;
    for (size_t i = 0; i < v->size(); ++i) {
      const std::string at = "tools[" + std::to_string(i) + "]";
      o.tools.push_back(checked_tool((*v)[i], at));
      if (!names.insert((*v)[i]["function"]["name"].get<std::string>()).second)
        invalid_field(at + ".function.name", "'" + at + ".function.name' names a function already given");
    }
  }
  if (const Json* v = field(body, "parallel_tool_calls")) {
    if (!v->is_boolean()) invalid_field("parallel_tool_calls", "'parallel_tool_calls' must be true or false");
    o.parallel = v->get<bool>();
  }
  if (const Json* v = field(body, "tool_choice")) {
    if (o.tools.empty() && *v != "none" && *v != "auto")
      invalid_field("tool_choice", "'tool_choice' asks for a call but 'tools' gives none");
    parse_choice(*v, o);
  }
  if (field(body, "functions") || field(body, "function_call"))
    invalid_field(field(body, "functions") ? "functions" : "function_call",
            "the deprecated functions are not supported; use 'tools'");
  return o;
}

std::shared_ptr<const structured::Grammar> tool_call_grammar(const ToolOptions& o) {
  Json alternatives = Json::array();
  for (const Json& t : o.tools)
    if (o.choice != "function" || t["function"]["name"] == o.name) alternatives.push_back(call_schema(t["function"]));
  Json schema = alternatives.size() == 1 ? alternatives[0] : Json{{"anyOf", alternatives}};
  try {
    return structured::compile_schema(schema);
  } catch (const structured::SchemaError& e) {
    invalid_field("tools", std::string("the tools' calls cannot be decoded under one schema: ") + e.what());
  }
}

Json template_tool_calls(const Json& calls, const std::string& at) {
  if (!calls.is_array()) invalid_field(at, "'" + at + "' must be an array");
  Json out = Json::array();
  for (size_t i = 0; i < calls.size(); ++i) {
    const std::string cat = at + "[" + std::to_string(i) + "]";
    const Json& c = calls[i];
    if (!c.is_object() || !c.contains("function") || !c["function"].is_object() ||
        !c["function"].contains("name") || !c["function"]["name"].is_string())
      invalid_field(cat, "'" + cat + "' must be {\"id\", \"type\": \"function\", \"function\": {\"name\", \"arguments\"}}");
    if (c.contains("id") && !c["id"].is_string()) invalid_field(cat + ".id", "'" + cat + ".id' must be a string");
    const Json& f = c["function"];
    const Json args = f.contains("arguments") ? f["arguments"] : Json("{}");
    std::optional<Json> object = args.is_string() ? parsed(args.get<std::string>()) : std::nullopt;
    if (!object || !object->is_object())
      invalid_field(cat + ".function.arguments", "'" + cat + ".function.arguments' must be a JSON object as a string");
    out.push_back({{"id", c.contains("id") ? c["id"] : Json("")}, {"type", "function"},
                   {"function", {{"name", f["name"]}, {"arguments", *object}}}});
  }
  return out;
}

std::optional<nlohmann::json> answer_tool_calls(const ToolOptions& o, const std::string& text, bool forced,
                                                const std::string& id) {
  std::optional<Json> call = forced ? parsed(text) : call_in_text(text);
  if (!call || !call->is_object() || !call->contains("name") || !(*call)["name"].is_string() ||
      !call->contains("arguments") || !(*call)["arguments"].is_object())
    return std::nullopt;
  const bool known = std::any_of(o.tools.begin(), o.tools.end(),
                                 [&](const Json& t) { return t["function"]["name"] == (*call)["name"]; });
  if (!known) return std::nullopt;
  return nlohmann::json::array({{{"id", id}, {"type", "function"},
                                 {"function", {{"name", (*call)["name"].get<std::string>()},
                                               {"arguments", (*call)["arguments"].dump()}}}}});
}

nlohmann::json answer_message(const ToolOptions& o, const std::string& text, const std::string& call_id,
                              std::string& finish_reason) {
  std::optional<nlohmann::json> calls;
  if (o.any() && o.choice != "none") calls = answer_tool_calls(o, text, o.forced(), call_id);
  if (!calls) return {{"role", "assistant"}, {"content", text}};
  finish_reason = "tool_calls";
  return {{"role", "assistant"}, {"content", nullptr}, {"tool_calls", *calls}};
}

}  // namespace lmc::tools
