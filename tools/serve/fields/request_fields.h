// Checks that the parsers of a request's nested objects (response_format's json_schema, a
// function tool) share: each failure is an ApiError (HTTP 400) naming the field by its path.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "structured/json_grammar.h"

namespace lmc::tools {

[[noreturn]] void invalid_field(const std::string& param, const std::string& message);
// The same, the message being "'<param>' <what>".
[[noreturn]] void invalid_value(const std::string& param, const std::string& what);
// A request's body, which must be a JSON object.
nlohmann::json request_object(std::string_view text);
// `body[name]` when the request gives it: a JSON null is not given, as OpenAI reads it.
template <class Json>
const Json* given_field(const Json& body, const char* name) {
  auto it = body.find(name);
  return it == body.end() || it->is_null() ? nullptr : &*it;
}
// `body[name]`, a number in [lo, hi], or `dflt` when absent.
double number(const nlohmann::json& body, const char* name, double dflt, double lo, double hi);
// `body[name]`, an integer in [lo, hi], if given.
std::optional<int64_t> integer(const nlohmann::json& body, const char* name, int64_t lo, int64_t hi);
// A token id below `vocab`, else a 400 naming `param`.
int32_t token_id(const nlohmann::json& v, int64_t vocab, const std::string& param);
// `v` (at `at`) has no key outside `names`.
void only_fields(const nlohmann::ordered_json& v, const std::string& at, const std::set<std::string>& names);
// The `name` of a function or a json_schema (any non-empty text without control characters,
// as llama-server; OpenAI's is stricter; a json_schema may leave it out, as llama-server's),
// its `description`? and `strict`?.
void check_name_description_strict(const nlohmann::ordered_json& v, const std::string& at, bool name_required = true);
// `schema` compiled by structured/; a keyword it cannot honour is refused naming `at`, or
// with `left_out` listed there (schema_compiler.h), only a schema that is none refused.
std::shared_ptr<const structured::Grammar> compiled_schema(const nlohmann::ordered_json& schema, const std::string& at,
                                                           std::vector<std::string>* left_out = nullptr);

}  // namespace lmc::tools
