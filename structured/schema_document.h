// Where a JSON schema's references are read. A schema may hold another as a document of
// its own: a subschema with an `$id` naming a resource (a URI; not the '#name' anchor of
// older drafts) is one, and a '#...' reference inside it points from its root, not from the
// outer schema's (JSON Schema 2020-12, "Schema Resources" and "$ref"). That is how a tool's
// parameters keep their meaning inside the {name, arguments} schema of its calls: embedded
// with an `$id`, their "#/$defs/..." and "#" are theirs, wherever they sit.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

namespace lmc::structured {

// Whether `schema` begins a document of its own, its '#' references read from it.
inline bool opens_document(const nlohmann::ordered_json& schema) {
  if (!schema.is_object()) return false;
  auto id = schema.find("$id");
  return id != schema.end() && id->is_string() && !id->get_ref<const std::string&>().starts_with("#");
}

// `key` as a token of a JSON pointer (RFC 6901): '~' as "~0", '/' as "~1".
inline std::string pointer_token(const std::string& key) {
  std::string out;
  for (char c : key) out += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
  return out;
}

// `schema` as a document of its own named `id`, to embed in another schema.
inline nlohmann::ordered_json as_document(nlohmann::ordered_json schema, const std::string& id) {
  if (schema.is_object()) schema["$id"] = id;
  return schema;
}

}  // namespace lmc::structured
