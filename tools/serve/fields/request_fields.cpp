#include "tools/serve/fields/request_fields.h"

#include <algorithm>

#include "structured/schema_compiler.h"
#include "tools/serve/fields/api_error.h"

namespace lmc::tools {

namespace {

using Json = nlohmann::ordered_json;

// As llama-server: any name (MCP bridges' "server.tool", "weather.get-current"), though not
// an empty one, nor one with a control character, which would break the prompt's lines.
// OpenAI is stricter: 1 to 64 letters, digits, '_' or '-'.
bool valid_name(const Json& name) {
  if (!name.is_string()) return false;
  const std::string& s = name.get_ref<const std::string&>();
  return !s.empty() && std::none_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; });
}

}  // namespace

nlohmann::json request_object(std::string_view text) {
  nlohmann::json body = nlohmann::json::parse(text, nullptr, false);
  if (body.is_discarded()) throw ApiError(400, "invalid_request_error", "the request body is not valid JSON");
  if (!body.is_object()) throw ApiError(400, "invalid_request_error", "the request body must be a JSON object");
  return body;
}

void invalid_field(const std::string& param, const std::string& message) {
  throw ApiError(400, "invalid_request_error", message, param);
}

void invalid_value(const std::string& param, const std::string& what) {
  invalid_field(param, "'" + param + "' " + what);
}

double number(const nlohmann::json& body, const char* name, double dflt, double lo, double hi) {
  const nlohmann::json* v = given_field(body, name);
  if (!v) return dflt;
  if (!v->is_number()) invalid_field(name, std::string("'") + name + "' must be a number");
  double d = v->get<double>();
  if (!(d >= lo && d <= hi))
    invalid_field(name, std::string("'") + name + "' must be between " + nlohmann::json(lo).dump() + " and " +
                            nlohmann::json(hi).dump());
  return d;
}

std::optional<int64_t> integer(const nlohmann::json& body, const char* name, int64_t lo, int64_t hi) {
  const nlohmann::json* v = given_field(body, name);
  if (!v) return std::nullopt;
  if (!v->is_number_integer()) invalid_field(name, std::string("'") + name + "' must be an integer");
  // A number past int64 parses as unsigned or fails is_number_integer; both are out of range.
  if (v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(hi))
    invalid_field(name,
                  std::string("'") + name + "' must be between " + std::to_string(lo) + " and " + std::to_string(hi));
  int64_t i = v->get<int64_t>();
  if (i < lo || i > hi)
    invalid_field(name,
                  std::string("'") + name + "' must be between " + std::to_string(lo) + " and " + std::to_string(hi));
  return i;
}

void only_fields(const Json& v, const std::string& at, const std::set<std::string>& names) {
  for (const auto& [key, value] : v.items())
    if (!names.count(key)) invalid_field(at + "." + key, "unrecognized argument '" + at + "." + key + "'");
}

void check_name_description_strict(const Json& v, const std::string& at, bool name_required) {
  if ((name_required || v.contains("name")) && (!v.contains("name") || !valid_name(v["name"])))
    invalid_field(at + ".name", "'" + at + ".name' must be a non-empty string without control characters");
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

int32_t token_id(const nlohmann::json& v, int64_t vocab, const std::string& param) {
  if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() >= vocab)
    invalid_field(param, "'" + param + "' token ids must be integers from 0 to " + std::to_string(vocab - 1));
  return static_cast<int32_t>(v.get<int64_t>());
}

}  // namespace lmc::tools
