// Reading a schema's keyword values for the schema compiler (schema_compiler.h): a count
// (minLength, maxItems, ...) and a pair of them as a range, the types 'type' names, the JSON
// types a value has. A value that is none is a SchemaError naming its JSON pointer.
#pragma once
#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace lmc::structured::schema_keywords {

// Throws SchemaError for `pointer`, the message saying where.
[[noreturn]] void fail(const std::string& pointer, const std::string& message);

// The JSON types a value has, as JSON schema names them (an integer is also a number).
std::set<std::string> types_of(const nlohmann::ordered_json& v);

// `keyword`'s non-negative integer (at most kFar), or `dflt` when absent.
uint32_t non_negative(const nlohmann::ordered_json& s, const char* keyword, const std::string& at, uint32_t dflt);

// min..max of a keyword pair; a range with nothing in it is a schema without values.
std::pair<uint32_t, uint32_t> range(const nlohmann::ordered_json& s, const char* min_keyword, const char* max_keyword,
                                    const std::string& at);

// The types 'type' names (none when absent), each once.
std::vector<std::string> type_list(const nlohmann::ordered_json& s, const std::string& at);

}  // namespace lmc::structured::schema_keywords
