#include "tools/serve/tool_calls/json_extent.h"

#include <nlohmann/json.hpp>

namespace lmc::tools {

namespace {

constexpr std::string_view kNone;
constexpr size_t npos = std::string_view::npos;

size_t skip_space(std::string_view s, size_t i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r')) ++i;
  return i;
}

// Just past the string whose quote is at `i`.
size_t string_end(std::string_view s, size_t i) {
  for (++i; i < s.size(); ++i) {
    if (s[i] == '\\')
      ++i;
    else if (s[i] == '"')
      return i + 1;
  }
  return npos;
}

// Just past the value that begins at `i`: a container, a string, or a literal or number.
size_t value_end(std::string_view s, size_t i) {
  if (i >= s.size()) return npos;
  if (s[i] == '{' || s[i] == '[') return json_value_end(s, i);
  if (s[i] == '"') return string_end(s, i);
  const size_t end = s.find_first_of(",}] \n\t\r", i);
  return end == i ? npos : end;
}

}  // namespace

size_t json_value_end(std::string_view s, size_t from) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (size_t i = from; i < s.size(); ++i) {
    const char c = s[i];
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if ((c == '}' || c == ']') && --depth == 0) {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

std::string_view member_value(std::string_view s, std::string_view key) {
  size_t i = skip_space(s, 0);
  if (i >= s.size() || s[i] != '{') return kNone;
  for (i = skip_space(s, i + 1); i < s.size() && s[i] == '"';) {
    const size_t key_end = string_end(s, i);
    if (key_end == npos) return kNone;
    const nlohmann::json name = nlohmann::json::parse(s.substr(i, key_end - i), nullptr, false);
    i = skip_space(s, key_end);
    if (i >= s.size() || s[i] != ':') return kNone;
    i = skip_space(s, i + 1);
    const size_t end = value_end(s, i);
    if (end == npos) return kNone;
    if (name.is_string() && name.get_ref<const std::string&>() == key) return s.substr(i, end - i);
    i = skip_space(s, end);
    if (i >= s.size() || s[i] != ',') return kNone;
    i = skip_space(s, i + 1);
  }
  return kNone;
}

}  // namespace lmc::tools
