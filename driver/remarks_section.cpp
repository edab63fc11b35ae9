#include "driver/remarks_section.h"

#include <nlohmann/json.hpp>

#include "support/error.h"

namespace lmc::driver {

namespace {

passes::RemarkKind kind_of(const std::string& text, const std::string& where) {
  for (auto k : {passes::RemarkKind::Passed, passes::RemarkKind::Missed, passes::RemarkKind::Analysis})
    if (text == passes::remark_kind_name(k)) return k;
  throw Error(where + ": unknown remark kind '" + text + "'");
}

}  // namespace

std::string encode_remarks(const std::vector<passes::Remark>& remarks) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& r : remarks)
    list.push_back(
        {{"pass", r.pass}, {"where", r.where}, {"message", r.message}, {"kind", passes::remark_kind_name(r.kind)}});
  // Invalid UTF-8 in a message (a value's name from a model file) is replaced, not a throw.
  return list.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::vector<passes::Remark> decode_remarks(std::string_view text, const std::string& where) {
  nlohmann::json list = nlohmann::json::parse(text, nullptr, false);
  if (!list.is_array()) throw Error(where + ": the remarks are not a JSON list");
  std::vector<passes::Remark> out;
  for (const auto& r : list) {
    auto field = [&](const char* key) {
      if (!r.is_object() || !r.contains(key) || !r[key].is_string())
        throw Error(where + ": a remark without a string '" + key + "'");
      return r[key].get<std::string>();
    };
    out.push_back({field("pass"), field("where"), field("message"), kind_of(field("kind"), where)});
  }
  return out;
}

}  // namespace lmc::driver
