#include "tools/serve/fields/response_format.h"

#include <set>
#include <string>

#include "structured/schema_compiler.h"
#include "tools/serve/fields/request_fields.h"

namespace lmc::tools {

namespace {

using Json = nlohmann::ordered_json;

std::shared_ptr<const structured::Grammar> json_schema(const Json& v) {
  const std::string at = "response_format.json_schema";
  auto it = v.find("json_schema");
  if (it == v.end() || !it->is_object()) invalid_field(at, "'" + at + "' must be an object with 'name' and 'schema'");
  const Json& js = *it;
  only_fields(js, at, {"name", "description", "schema", "strict"});
  // Answers always follow the schema, whatever strict asks.
  check_name_description_strict(js, at, false);
  if (!js.contains("schema")) invalid_field(at + ".schema", "'" + at + ".schema' is required");
  return compiled_schema(js["schema"], at + ".schema");
}

}  // namespace

std::shared_ptr<const structured::Grammar> parse_response_format(const Json& v) {
  if (!v.is_object() || !v.contains("type") || !v["type"].is_string())
    invalid_field("response_format", "'response_format' must be an object with a 'type'");
  const std::string type = v["type"].get<std::string>();
  if (type == "text") {
    only_fields(v, "response_format", {"type"});
    return nullptr;
  }
  if (type == "json_object") {
    // llama-server's extension: a json_object may carry the schema its object keeps to.
    only_fields(v, "response_format", {"type", "schema"});
    if (!v.contains("schema")) return structured::json_object_grammar();
    if (!v["schema"].is_object()) invalid_field("response_format.schema", "'response_format.schema' must be an object");
    return compiled_schema(v["schema"], "response_format.schema");
  }
  if (type != "json_schema")
    invalid_field("response_format.type", "'response_format.type' must be text, json_object or json_schema");
  only_fields(v, "response_format", {"type", "json_schema"});
  return json_schema(v);
}

}  // namespace lmc::tools
