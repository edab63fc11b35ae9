// A JSON schema validator for the keywords structured output compiles, written from the
// specification's wording and sharing nothing with structured/: what the tests (and the
// fuzz target) judge the automaton's answers by. Schema semantics, not the generator's:
// additionalProperties absent allows any other key, a schema without a type any type, and a
// subschema with an $id (a URI) is a document of its own, whose '#' references point into it.
#pragma once
#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/structured/pcre2_search.h"
#include "tests/structured/reference_formats.h"

namespace lmc::structured::testing {

class ReferenceValidator {
 public:
  explicit ReferenceValidator(nlohmann::ordered_json schema) : root_(std::move(schema)) {}

  bool valid(const std::string& text) const {
    nlohmann::json v = nlohmann::json::parse(text, nullptr, false);
    return !v.is_discarded() && check(root_, root_, v, 0);
  }

 private:
  static size_t code_points(const std::string& s) {
    size_t n = 0;
    for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    return n;
  }

  static bool has_type(const std::string& type, const nlohmann::json& v) {
    if (type == "object") return v.is_object();
    if (type == "array") return v.is_array();
    if (type == "string") return v.is_string();
    if (type == "boolean") return v.is_boolean();
    if (type == "null") return v.is_null();
    if (type == "number") return v.is_number();
    if (type == "integer")
      return v.is_number_integer() || (v.is_number_float() && v.get<double>() == std::trunc(v.get<double>()));
    return false;
  }

  static nlohmann::json plain(const nlohmann::ordered_json& v) { return nlohmann::json::parse(v.dump()); }

  static bool is_document(const nlohmann::ordered_json& s) {
    return s.is_object() && s.contains("$id") && s["$id"].is_string() && s["$id"].get<std::string>()[0] != '#';
  }

  // `doc`: the document s is in, which its '#' references point into.
  bool check(const nlohmann::ordered_json& doc_in, const nlohmann::ordered_json& s, const nlohmann::json& v,
             int depth) const {
    if (depth > 200) return false;
    if (s.is_boolean()) return s.get<bool>();
    const nlohmann::ordered_json& doc = is_document(s) ? s : doc_in;
    if (s.contains("$ref")) {
      auto p = nlohmann::ordered_json::json_pointer(s["$ref"].get<std::string>().substr(1));
      return check(doc, doc.at(p), v, depth + 1);
    }
    if (s.contains("type")) {
      const nlohmann::ordered_json& t = s["type"];
      bool any = false;
      for (const auto& name : t.is_array() ? t : nlohmann::ordered_json::array({t}))
        any = any || has_type(name.get<std::string>(), v);
      if (!any) return false;
    }
    if (s.contains("enum")) {
      bool found = false;
      for (const auto& e : s["enum"]) found = found || plain(e) == v;
      if (!found) return false;
    }
    if (s.contains("const") && plain(s["const"]) != v) return false;
    if (s.contains("anyOf")) {
      bool any = false;
      for (const auto& alt : s["anyOf"]) any = any || check(doc, alt, v, depth + 1);
      if (!any) return false;
    }
    if (s.contains("allOf"))
      for (const auto& part : s["allOf"])
        if (!check(doc, part, v, depth + 1)) return false;
    if (s.contains("oneOf")) {
      int n = 0;
      for (const auto& alt : s["oneOf"]) n += check(doc, alt, v, depth + 1);
      if (n != 1) return false;
    }
    if (v.is_object() && !object_valid(doc, s, v, depth)) return false;
    if (v.is_array() && !array_valid(doc, s, v, depth)) return false;
    if (v.is_string()) {
      const size_t n = code_points(v.get<std::string>());
      if (s.contains("minLength") && n < s["minLength"].get<size_t>()) return false;
      if (s.contains("maxLength") && n > s["maxLength"].get<size_t>()) return false;
      if (s.contains("format") && !format_valid(s["format"].get<std::string>(), v.get<std::string>())) return false;
      if (s.contains("pattern") && !Pcre2Search(s["pattern"].get<std::string>()).found(v.get<std::string>()))
        return false;
    }
    return !v.is_number() || number_valid(s, v.get<double>());
  }

  // The bounds as a validator compares them, in doubles; draft 4's boolean exclusive forms too.
  static bool number_valid(const nlohmann::ordered_json& s, double x) {
    auto bound = [&](const char* k) { return s[k].get<double>(); };
    auto exclusive = [&](const char* k, const char* inclusive) {
      return s.contains(k) && (s[k].is_boolean() ? s[k].get<bool>() && s.contains(inclusive) : true);
    };
    if (s.contains("minimum") && x < bound("minimum")) return false;
    if (s.contains("maximum") && x > bound("maximum")) return false;
    if (exclusive("exclusiveMinimum", "minimum") &&
        x <= (s["exclusiveMinimum"].is_boolean() ? bound("minimum") : bound("exclusiveMinimum")))
      return false;
    if (exclusive("exclusiveMaximum", "maximum") &&
        x >= (s["exclusiveMaximum"].is_boolean() ? bound("maximum") : bound("exclusiveMaximum")))
      return false;
    return !s.contains("multipleOf") || std::fmod(x, bound("multipleOf")) == 0;
  }

  bool object_valid(const nlohmann::ordered_json& doc, const nlohmann::ordered_json& s, const nlohmann::json& v,
                    int depth) const {
    static const nlohmann::ordered_json kNone = nlohmann::ordered_json::object();
    const auto& props = s.contains("properties") ? s["properties"] : kNone;
    if (s.contains("required"))
      for (const auto& name : s["required"])
        if (!v.contains(name.get<std::string>())) return false;
    for (const auto& [key, value] : v.items()) {
      if (props.contains(key)) {
        if (!check(doc, props.at(key), value, depth + 1)) return false;
      } else if (s.contains("additionalProperties") && !check(doc, s["additionalProperties"], value, depth + 1)) {
        return false;
      }
    }
    return true;
  }

  bool array_valid(const nlohmann::ordered_json& doc, const nlohmann::ordered_json& s, const nlohmann::json& v,
                   int depth) const {
    if (s.contains("minItems") && v.size() < s["minItems"].get<size_t>()) return false;
    if (s.contains("maxItems") && v.size() > s["maxItems"].get<size_t>()) return false;
    if (s.contains("items"))
      for (const auto& item : v)
        if (!check(doc, s["items"], item, depth + 1)) return false;
    return true;
  }

  nlohmann::ordered_json root_;
};

}  // namespace lmc::structured::testing
