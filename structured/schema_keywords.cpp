#include "structured/schema_keywords.h"

#include <algorithm>

#include "structured/json_grammar.h"
#include "structured/schema_compiler.h"

namespace lmc::structured::schema_keywords {

namespace {

using Json = nlohmann::ordered_json;

const std::set<std::string> kTypes = {"object", "array", "string", "number", "integer", "boolean", "null"};

}  // namespace

void fail(const std::string& pointer, const std::string& message) {
  throw SchemaError(pointer, message + " (at " + (pointer.empty() ? "the schema's root" : pointer) + ")");
}

std::set<std::string> types_of(const Json& v) {
  switch (v.type()) {
    case Json::value_t::object:
      return {"object"};
    case Json::value_t::array:
      return {"array"};
    case Json::value_t::string:
      return {"string"};
    case Json::value_t::boolean:
      return {"boolean"};
    case Json::value_t::null:
      return {"null"};
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return {"integer", "number"};
    default:
      return {"number"};
  }
}

uint32_t non_negative(const Json& s, const char* keyword, const std::string& at, uint32_t dflt) {
  auto it = s.find(keyword);
  if (it == s.end()) return dflt;
  if (!it->is_number_integer() || it->get<int64_t>() < 0)
    fail(at + "/" + keyword, std::string("'") + keyword + "' must be a non-negative integer");
  return static_cast<uint32_t>(std::min<int64_t>(it->get<int64_t>(), kFar));
}

std::pair<uint32_t, uint32_t> range(const Json& s, const char* min_keyword, const char* max_keyword,
                                    const std::string& at) {
  const uint32_t lo = non_negative(s, min_keyword, at, 0), hi = non_negative(s, max_keyword, at, kUnbounded);
  if (lo > hi)
    fail(at + "/" + min_keyword,
         std::string("'") + min_keyword + "' is above '" + max_keyword + "': no value is valid");
  return {lo, hi};
}

std::vector<std::string> type_list(const Json& s, const std::string& at) {
  auto t = s.find("type");
  if (t == s.end()) return {};
  const Json list = t->is_array() ? *t : Json::array({*t});
  if (list.empty()) fail(at + "/type", "'type' must name at least one type");
  std::vector<std::string> types;
  for (const Json& name : list) {
    if (!name.is_string() || !kTypes.count(name.get<std::string>()))
      fail(at + "/type",
           "'type' must be one of object, array, string, number, integer, boolean, null, or a list of them");
    if (std::find(types.begin(), types.end(), name.get<std::string>()) == types.end())
      types.push_back(name.get<std::string>());
  }
  return types;
}

}  // namespace lmc::structured::schema_keywords
