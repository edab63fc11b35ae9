#include "tools/serve/tool_calls/tool_calls.h"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "structured/byte_dfa.h"
#include "structured/schema_compiler.h"
#include "structured/schema_document.h"
#include "tools/serve/fields/request_fields.h"
#include "tools/serve/tool_calls/json_extent.h"
#include "tools/serve/tool_calls/tool_call_sequence.h"

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

// A tool's shape, its parameters compiled (a keyword the grammar cannot hold left out and
// noted in `o`, never refused; a schema that is none refused now, not when a call is decoded).
Json checked_tool(const Json& t, const std::string& at, ToolOptions& o) {
  if (!t.is_object() || !has(t, "type", "function") || !t.contains("function") || !t["function"].is_object())
    invalid_field(at, "'" + at + "' must be {\"type\": \"function\", \"function\": {...}}");
  only_fields(t, at, {"type", "function"});
  const Json& f = t["function"];
  const std::string fat = at + ".function";
  only_fields(f, fat, {"name", "description", "parameters", "strict"});
  check_name_description_strict(f, fat);
  if (f.contains("parameters") && !f["parameters"].is_object())
    invalid_field(fat + ".parameters", "'" + fat + ".parameters' must be a JSON schema object");
  std::vector<std::string> left_out;
  compiled_schema(parameters_of(f), fat + ".parameters", &left_out);
  for (const std::string& pointer : left_out)
    o.left_out.emplace_back(f["name"].get<std::string>(), fat + ".parameters" + pointer);
  return t;
}

// Under auto a call to a tool whose schema the grammar holds only in part is checked against
// the whole schema once decoded: its patterns compiled now, so one that is none is refused
// with the request.
void add_checks(ToolOptions& o) {
  for (size_t i = 0; i < o.tools.size(); ++i) {
    const Json& f = o.tools[i]["function"];
    const std::string at = "tools[" + std::to_string(i) + "].function.parameters";
    if (std::none_of(o.left_out.begin(), o.left_out.end(), [&](const auto& l) { return l.first == f["name"]; }))
      continue;
    try {
      o.checks[f["name"].get<std::string>()] = std::make_shared<const structured::SchemaValidator>(parameters_of(f));
    } catch (const structured::SchemaError& e) {
      invalid_field(at, "'" + at + "': " + e.what());
    }
  }
}

// A forced call is decoded under its grammar alone, so a pattern outside the subset the
// grammar compiles (structured/regex_syntax.h) would go unchecked: refused, naming the construct.
void refuse_unkept_patterns(const ToolOptions& o) {
  for (size_t i = 0; i < o.tools.size(); ++i) {
    const Json& f = o.tools[i]["function"];
    if (o.choice == "function" && f["name"] != o.name) continue;
    const std::string at = "tools[" + std::to_string(i) + "].function.parameters";
    const Json parameters = parameters_of(f);
    for (const auto& [tool, where] : o.left_out) {
      if (f["name"] != tool || !where.ends_with("/pattern")) continue;
      const Json& pattern = parameters.at(Json::json_pointer(where.substr(at.size())));
      try {
        structured::ByteDfa(pattern.get<std::string>(), structured::ByteDfa::Match::Anywhere);
      } catch (const std::invalid_argument& e) {
        invalid_field(where, "'" + where + "' cannot be kept while a forced call is decoded: " + e.what());
      }
    }
  }
}

void parse_choice(const Json& v, ToolOptions& o) {
  if (v.is_string() && (v == "auto" || v == "none" || v == "required")) {
    o.choice = v.get<std::string>();
    return;
  }
  if (!v.is_object() || !has(v, "type", "function") || !v.contains("function") || !v["function"].is_object() ||
      !v["function"].contains("name") || !v["function"]["name"].is_string())
    invalid_field("tool_choice",
                  "'tool_choice' must be \"auto\", \"none\", \"required\" or "
                  "{\"type\": \"function\", \"function\": {\"name\": ...}}");
  o.choice = "function";
  o.name = v["function"]["name"].get<std::string>();
  if (!o.offers(o.name))
    invalid_field("tool_choice", "'tool_choice' names the function '" + o.name + "', which is not in 'tools'");
}

// The tool's parameters are a document of their own inside the call's schema, so that
// their "#/$defs/..." and "#" point into them, not into the call (schema_document.h).
Json call_schema(const Json& function, const ToolCallFormat& f) {
  const std::string args(f.arguments);
  const Json parameters =
      structured::as_document(parameters_of(function), "lmc:tools/" + function["name"].get<std::string>());
  return {{"type", "object"},
          {"properties", {{"name", {{"const", function["name"]}}}, {args, parameters}}},
          {"required", {"name", args}}};
}

std::optional<Json> parsed(std::string_view text) {
  Json v = Json::parse(text, nullptr, false);
  if (v.is_discarded()) return std::nullopt;
  return v;
}

// A call's object as written, and parsed.
struct WrittenCall {
  std::string_view text;
  Json call;
};

// The calls' objects from `from` on, stepping through the form (tool_call_sequence.h), and
// past the first only when several() allows; nullopt when the text leaves the form or ends
// before its calls do.
std::optional<std::vector<WrittenCall>> calls_from(const ToolOptions& o, std::string_view text, size_t from) {
  std::vector<WrittenCall> calls;
  for (CallStep step = first_call_step(o.format, text, from);;) {
    if (step.kind != CallStep::Kind::Call) return step.may_end ? std::optional(std::move(calls)) : std::nullopt;
    const size_t end = json_value_end(text, step.at);
    if (end == std::string_view::npos) return std::nullopt;
    const std::string_view written = text.substr(step.at, end - step.at);
    std::optional<Json> call = parsed(written);
    if (!call) return std::nullopt;
    calls.push_back({written, std::move(*call)});
    if (!o.several()) return calls;
    step = next_call_step(o.format, text, end);
  }
}

bool is_call(const ToolOptions& o, const Json& c) {
  const std::string args(o.format.arguments);
  if (!c.is_object() || !c.contains("name") || !c["name"].is_string() || !c.contains(args) || !c[args].is_object())
    return false;
  return o.offers(c["name"].get<std::string>());
}

}  // namespace

bool ToolOptions::offers(const std::string& name) const {
  return std::any_of(tools.begin(), tools.end(), [&](const Json& t) { return t["function"]["name"] == name; });
}

ToolOptions parse_tools(const Json& body, const ToolCallFormat& format) {
  ToolOptions o;
  o.format = format;
  if (const Json* v = given_field(body, "tools")) {
    if (!v->is_array()) invalid_field("tools", "'tools' must be an array");
    std::set<std::string> names;
    for (size_t i = 0; i < v->size(); ++i) {
      const std::string at = "tools[" + std::to_string(i) + "]";
      o.tools.push_back(checked_tool((*v)[i], at, o));
      if (!names.insert((*v)[i]["function"]["name"].get<std::string>()).second)
        invalid_field(at + ".function.name", "'" + at + ".function.name' names a function already given");
    }
  }
  if (const Json* v = given_field(body, "parallel_tool_calls")) {
    if (!v->is_boolean()) invalid_field("parallel_tool_calls", "'parallel_tool_calls' must be true or false");
    o.parallel = v->get<bool>();
  }
  if (const Json* v = given_field(body, "tool_choice")) {
    if (o.tools.empty() && *v != "none" && *v != "auto")
      invalid_field("tool_choice", "'tool_choice' asks for a call but 'tools' gives none");
    parse_choice(*v, o);
  }
  if (given_field(body, "functions") || given_field(body, "function_call"))
    invalid_field(given_field(body, "functions") ? "functions" : "function_call",
                  "the deprecated functions are not supported; use 'tools'");
  if (o.choice == "auto") add_checks(o);
  if (o.forced()) refuse_unkept_patterns(o);
  return o;
}

bool ToolOptions::arguments_pass(std::string_view name, const nlohmann::json& arguments) const {
  auto it = checks.find(name);
  return it == checks.end() || it->second->check(arguments).empty();
}

std::vector<std::string> left_out_notes(const ToolOptions& o) {
  std::vector<std::string> notes;
  if (!o.any() || o.choice == "none") return notes;
  for (const auto& [tool, where] : o.left_out)
    if (o.choice != "function" || tool == o.name)
      notes.push_back(where + (o.forced() ? " is not kept while a call is decoded: the call may not follow it"
                                          : " is checked once a call is whole: a call that fails it is text"));
  return notes;
}

std::shared_ptr<const structured::Grammar> tool_call_grammar(const ToolOptions& o) {
  Json alternatives = Json::array();
  for (const Json& t : o.tools)
    if (o.choice != "function" || t["function"]["name"] == o.name)
      alternatives.push_back(call_schema(t["function"], o.format));
  Json schema = alternatives.size() == 1 ? alternatives[0] : Json{{"anyOf", alternatives}};
  if (o.format.list) {
    schema = Json{{"type", "array"}, {"items", schema}, {"minItems", 1}};
    if (!o.several()) schema["maxItems"] = 1;
  }
  std::vector<std::string> left_out;  // each tool's, noted when it was read
  try {
    return structured::compile_schema(schema, &left_out);
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
    if (!c.is_object() || !c.contains("function") || !c["function"].is_object() || !c["function"].contains("name") ||
        !c["function"]["name"].is_string())
      invalid_field(cat,
                    "'" + cat + "' must be {\"id\", \"type\": \"function\", \"function\": {\"name\", \"arguments\"}}");
    if (c.contains("id") && !c["id"].is_string()) invalid_field(cat + ".id", "'" + cat + ".id' must be a string");
    const Json& f = c["function"];
    const Json args = f.contains("arguments") ? f["arguments"] : Json("{}");
    std::optional<Json> object = args.is_string() ? parsed(args.get<std::string>()) : std::nullopt;
    if (!object || !object->is_object())
      invalid_field(cat + ".function.arguments", "'" + cat + ".function.arguments' must be a JSON object as a string");
    out.push_back({{"id", c.contains("id") ? c["id"] : Json("")},
                   {"type", "function"},
                   {"function", {{"name", f["name"]}, {"arguments", *object}}}});
  }
  return out;
}

structured::JsonTrigger tool_call_trigger(const ToolOptions& o) {
  const ToolCallFormat& f = o.format;
  structured::JsonTrigger t;
  if (!o.forced()) {
    t.text = f.trigger();
    t.json_bytes = f.json_lead().size();
    t.lead = f.skipped;
  }
  if (o.several() && !f.list) {
    t.close = f.close;
    t.again = std::string(f.between) + std::string(f.answer_open());
  }
  return t;
}

std::string call_id_at(const std::string& id, size_t index) {
  return index == 0 ? id : id + "_" + std::to_string(index);
}

std::optional<nlohmann::json> answer_tool_calls(const ToolOptions& o, const std::string& text, bool forced,
                                                const std::string& id) {
  // A forced answer follows the opening the prompt ended with.
  const size_t from = forced ? 0 : calls_start_in_text(o.format, text);
  auto calls = from == std::string::npos ? std::nullopt : calls_from(o, text, from);
  if (!calls) return std::nullopt;
  const std::string args(o.format.arguments);
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [written, c] : *calls) {
    if (!is_call(o, c) || (!forced && !o.arguments_pass(c["name"].get<std::string>(), nlohmann::json(c[args]))))
      return std::nullopt;
    // The bytes the model wrote, as a stream of the answer sends them.
    const std::string_view arguments = member_value(written, args);
    out.push_back({{"id", call_id_at(id, out.size())},
                   {"type", "function"},
                   {"function",
                    {{"name", c["name"].get<std::string>()},
                     {"arguments", arguments.empty() ? c[args].dump() : std::string(arguments)}}}});
  }
  return out;
}

}  // namespace lmc::tools
