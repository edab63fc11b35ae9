// JSON in and out of templates: a render's context arrives as JSON (messages, tools, flags)
// and becomes values with their key order kept; `tojson` writes values as Hugging Face's
// chat templates define it, Python's json.dumps(ensure_ascii=False, indent, sort_keys).
#pragma once
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "jinja/value.h"

namespace lmc::jinja {

Value from_json(const nlohmann::ordered_json& j);

struct JsonDumpOptions {
  std::optional<std::string> indent;  // per level; none: one line
  // Between items and after keys: by default ", " and ": " on one line, "," and ": " indented.
  std::optional<std::string> item_separator, key_separator;
  bool sort_keys = false;
  bool ensure_ascii = false;  // every non-ASCII character as \uXXXX (surrogate pairs above U+FFFF)
};
std::string to_json_text(const Value& v, const JsonDumpOptions& options);

}  // namespace lmc::jinja
