#include "tools/serve/response_format.h"

#include <set>
#include <string>

#include "structured/schema_compiler.h"
#include "tools/serve/serve_request.h"

namespace lmc::tools {

namespace {

using Json = nlohmann::ordered_json;

[[noreturn]] void invalid(const std::string& param, const std::string& message) {
  throw ApiError(400, "invalid_request_error", message, param);
}

void only_fields(const Json& v, const std::string& at, const std::set<std::string>& names) {
  for (const auto& [key, value] : v.items())
    if (!names.count(key)) invalid(at + "." + key, "unrecognized argument '" + at + "." + key + "'");
}

// OpenAI's rule for the name: letters, digits, '_' and '-', at most 64 of them.
bool valid_name(const Json& name) {
  if (!name.is_string()) return false;
  const std::string& s = name.get_ref<const std::string&>();
  return !s.empty() && s.size() <= 64 &&
         s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == std::string::npos;
}

std::shared_ptr<const structured::Grammar> json_schema(const Json& v) {
  const std::string at = "response_format.json_schema";
  auto it = v.find("json_schema");
  if (it == v.end() || !it->is_object()) invalid(at, "'" + at + "' must be an object with 'name' and 'schema'");
  const Json& js = *it;
  only_fields(js, at, {"name", "description", "schema", "strict"});
  if (!js.contains("name") || !valid_name(js["name"]))
    invalid(at + ".name", "'" + at + ".name' must be 1 to 64 letters, digits, '_' or '-'");
  if (js.contains("description") && !js["description"].is_string())
    invalid(at + ".description", "'" + at + ".description' must be a string");
  // Answers always follow the schema, whatever strict asks.
  if (js.contains("strict") && !js["strict"].is_boolean() && !js["strict"].is_null())
    invalid(at + ".strict", "'" + at + ".strict' must be true or false");
  if (!js.contains("schema")) invalid(at + ".schema", "'" + at + ".schema' is required");
  try {
    return structured::compile_schema(js["schema"]);
  } catch (const structured::SchemaError& e) {
    invalid(at + ".schema", "'" + at + ".schema': " + e.what());
  }
}

}  // namespace

std::shared_ptr<const structured::Grammar> parse_response_format(const Json& v) {
  if (!v.is_object() || !v.contains("type") || !v["type"].is_string())
    invalid("response_format", "'response_format' must be an object with a 'type'");
  const std::string type = v["type"].get<std::string>();
  if (type == "text" || type == "json_object") {
    only_fields(v, "response_format", {"type"});
    return type == "text" ? nullptr : structured::json_object_grammar();
  }
  if (type != "json_schema")
    invalid("response_format.type", "'response_format.type' must be text, json_object or json_schema");
  only_fields(v, "response_format", {"type", "json_schema"});
  return json_schema(v);
}

}  // namespace lmc::tools
