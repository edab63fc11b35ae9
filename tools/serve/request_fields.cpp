#include "tools/serve/request_fields.h"

#include "structured/schema_compiler.h"
#include "tools/serve/serve_request.h"

namespace lmc::tools {

namespace {

using Json = nlohmann::ordered_json;

bool valid_name(const Json& name) {
  if (!name.is_string()) return false;
  const std::string& s = name.get_ref<const std::string&>();
  return !s.empty() && s.size() <= 64 &&
         s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == std::string::npos;
}

}  // namespace

void invalid_field(const std::string& param, const std::string& message) {
  throw ApiError(400, "invalid_request_error", message, param);
}

void only_fields(const Json& v, const std::string& at, const std::set<std::string>& names) {
  for (const auto& [key, value] : v.items())
    if (!names.count(key)) invalid_field(at + "." + key, "unrecognized argument '" + at + "." + key + "'");
}

void check_name_description_strict(const Json& v, const std::string& at) {
  if (!v.contains("name") || !valid_name(v["name"]))
    invalid_field(at + ".name", "'" + at + ".name' must be 1 to 64 letters, digits, '_' or '-'");
  if (v.contains("description") && !v["description"].is_string())
    invalid_field(at + ".description", "'" + at + ".description' must be a string");
  if (v.contains("strict") && !v["strict"].is_boolean() && !v["strict"].is_null())
    invalid_field(at + ".strict", "'" + at + ".strict' must be true or false");
}

std::shared_ptr<const structured::Grammar> compiled_schema(const Json& schema, const std::string& at,
                                                           std::vector<std::string>* left_out) {
  try {
    return structured::compile_schema(schema, left_out);
  } catch (const structured::SchemaError& e) {
    invalid_field(at, "'" + at + "': " + e.what());
  }
}

}  // namespace lmc::tools
