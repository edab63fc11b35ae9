// JSON to values and values to Python's json.dumps text (json_value.h).
#include "jinja/json_value.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace lmc::jinja {

Value from_json(const nlohmann::ordered_json& j) {
  switch (j.type()) {
    case nlohmann::ordered_json::value_t::null:
      return Value(None{});
    case nlohmann::ordered_json::value_t::boolean:
      return Value(j.get<bool>());
    case nlohmann::ordered_json::value_t::number_integer:
      return Value(j.get<int64_t>());
    case nlohmann::ordered_json::value_t::number_unsigned: {
      const auto u = j.get<uint64_t>();
      if (u > static_cast<uint64_t>(INT64_MAX)) return Value(static_cast<double>(u));
      return Value(static_cast<int64_t>(u));
    }
    case nlohmann::ordered_json::value_t::number_float:
      return Value(j.get<double>());
    case nlohmann::ordered_json::value_t::string:
      return Value(j.get<std::string>());
    case nlohmann::ordered_json::value_t::array: {
      List list;
      for (const auto& e : j) list.push_back(from_json(e));
      return Value(std::move(list));
    }
    case nlohmann::ordered_json::value_t::object: {
      Value d = make_dict();
      for (const auto& [k, e] : j.items()) d.as<DictPtr>()->set(Value(k), from_json(e));
      return d;
    }
    default:
      throw EvalError("JSON value of type " + std::string(j.type_name()) + " has no template value");
  }
}

namespace {

void append_u_escape(std::string& out, unsigned v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\u%04x", v);
  out += buf;
}

// The code point of the UTF-8 sequence at s[i] (advancing i), or the byte itself when it
// starts no valid sequence.
unsigned next_code_point(const std::string& s, size_t& i) {
  const auto b = static_cast<unsigned char>(s[i]);
  const size_t n = (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 1;
  if (n == 1 || i + n > s.size()) return s[i++] & 0xFFu;
  unsigned cp = b & (0x7Fu >> n);
  for (size_t k = 1; k < n; ++k) {
    const auto c = static_cast<unsigned char>(s[i + k]);
    if ((c >> 6) != 2) return s[i++] & 0xFFu;
    cp = (cp << 6) | (c & 0x3Fu);
  }
  i += n;
  return cp;
}

std::string json_string(const std::string& s, bool ensure_ascii) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size();) {
    if (ensure_ascii && static_cast<unsigned char>(s[i]) >= 0x80) {
      const unsigned cp = next_code_point(s, i);
      if (cp < 0x10000) {
        append_u_escape(out, cp);
      } else {
        append_u_escape(out, 0xD800 + ((cp - 0x10000) >> 10));
        append_u_escape(out, 0xDC00 + ((cp - 0x10000) & 0x3FF));
      }
      continue;
    }
    const auto c = static_cast<unsigned char>(s[i++]);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20) {
          append_u_escape(out, c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string json_float(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d < 0 ? "-Infinity" : "Infinity";
  return float_repr(d);
}

// A dict key as json.dumps converts it: strings as they are, numbers, booleans and None
// spelled as JSON.
std::string key_text(const Value& k) {
  if (k.is_string()) return k.str();
  if (k.is<bool>()) return k.as<bool>() ? "true" : "false";
  if (k.is<int64_t>()) return std::to_string(k.integer());
  if (k.is<double>()) return json_float(k.as<double>());
  if (k.is_none()) return "null";
  throw EvalError("keys must be str, int, float, bool or None, not " + type_name(k));
}

class Dumper {
 public:
  explicit Dumper(const JsonDumpOptions& o) : o_(o) {}

  void dump(const Value& v, int depth) {
    check_nesting(depth);
    if (v.is_none())
      out += "null";
    else if (v.is<bool>())
      out += v.as<bool>() ? "true" : "false";
    else if (v.is<int64_t>())
      out += std::to_string(v.integer());
    else if (v.is<double>())
      out += json_float(v.as<double>());
    else if (v.is_string())
      out += json_string(v.str(), o_.ensure_ascii);
    else if (v.is<ListPtr>())
      list(v.list(), depth);
    else if (v.is<DictPtr>() && !v.dict().is_namespace)
      dict(v.dict(), depth);
    else
      throw EvalError("Object of type " + type_name(v) + " is not JSON serializable");
  }

  std::string out;

 private:
  void newline(int depth) {
    out += '\n';
    for (int i = 0; i < depth; ++i) out += *o_.indent;
  }
  void separator(bool first, int depth) {
    if (!first) out += o_.item_separator ? *o_.item_separator : o_.indent ? "," : ", ";
    if (o_.indent) newline(depth);
  }
  std::string key_separator() const { return o_.key_separator ? *o_.key_separator : ": "; }

  void list(const List& l, int depth) {
    if (l.empty()) return void(out += "[]");
    out += '[';
    for (size_t i = 0; i < l.size(); ++i) {
      separator(i == 0, depth + 1);
      dump(l[i], depth + 1);
      check_text(out);
    }
    if (o_.indent) newline(depth);
    out += ']';
  }

  void dict(const Dict& d, int depth) {
    if (d.size() == 0) return void(out += "{}");
    std::vector<std::pair<std::string, const Value*>> items;
    for (const auto& [k, v] : d.entries()) items.emplace_back(key_text(k), &v);
    if (o_.sort_keys)
      std::stable_sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    out += '{';
    for (size_t i = 0; i < items.size(); ++i) {
      separator(i == 0, depth + 1);
      out += json_string(items[i].first, o_.ensure_ascii) + key_separator();
      dump(*items[i].second, depth + 1);
      check_text(out);
    }
    if (o_.indent) newline(depth);
    out += '}';
  }

  const JsonDumpOptions& o_;
};

}  // namespace

std::string to_json_text(const Value& v, const JsonDumpOptions& options) {
  Dumper d(options);
  d.dump(v, 0);
  return std::move(d.out);
}

}  // namespace lmc::jinja
