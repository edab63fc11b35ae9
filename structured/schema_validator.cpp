#include "structured/schema_validator.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <algorithm>
#include <cmath>

#include "structured/schema_compiler.h"
#include "structured/schema_document.h"
#include "structured/string_formats.h"

namespace lmc::structured {

namespace {

using Value = nlohmann::json;
using Json = nlohmann::ordered_json;

constexpr int kMaxDepth = 256;           // a reference to itself that reads no value ends here
constexpr size_t kMaxSteps = 100'000;    // schemas checked in all: anyOf of itself branches at each level
constexpr uint32_t kMatchLimit = 100000;       // PCRE2's backtracking steps for one match
constexpr const char* kData[] = {"enum", "const", "default", "examples"};  // values, not schemas
// Keywords whose value maps names to schemas.
constexpr const char* kMaps[] = {"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"};

std::string at(const std::string& where, const std::string& what) {
  return (where.empty() ? "/" : where) + ": " + what;
}

bool has_type(const std::string& type, const Value& v) {
  if (type == "integer")
    return v.is_number_integer() ||
           (v.is_number_float() && std::isfinite(v.get<double>()) && v.get<double>() == std::floor(v.get<double>()));
  return (type == "object" && v.is_object()) || (type == "array" && v.is_array()) ||
         (type == "string" && v.is_string()) || (type == "number" && v.is_number()) ||
         (type == "boolean" && v.is_boolean()) || (type == "null" && v.is_null());
}

std::string type_error(const Json& s, const Value& v) {
  auto t = s.find("type");
  if (t == s.end()) return "";
  for (const Json& name : t->is_array() ? *t : Json::array({*t}))
    if (name.is_string() && has_type(name.get<std::string>(), v)) return "";
  return "is not of type " + t->dump();
}

// A number's bounds, as a validator compares them (draft 4's boolean exclusive forms too).
std::string number_error(const Json& s, const Value& v) {
  const double x = v.get<double>();
  auto bound = [&](const char* k) { return s[k].is_number() ? s[k].get<double>() : NAN; };
  auto flag = [&](const char* k) { return s.contains(k) && s[k].is_boolean() && s[k].get<bool>(); };
  if (s.contains("minimum") && (flag("exclusiveMinimum") ? x <= bound("minimum") : x < bound("minimum")))
    return "is below the minimum " + s["minimum"].dump();
  if (s.contains("maximum") && (flag("exclusiveMaximum") ? x >= bound("maximum") : x > bound("maximum")))
    return "is above the maximum " + s["maximum"].dump();
  if (s.contains("exclusiveMinimum") && s["exclusiveMinimum"].is_number() && x <= bound("exclusiveMinimum"))
    return "is not above " + s["exclusiveMinimum"].dump();
  if (s.contains("exclusiveMaximum") && s["exclusiveMaximum"].is_number() && x >= bound("exclusiveMaximum"))
    return "is not below " + s["exclusiveMaximum"].dump();
  if (auto m = s.find("multipleOf"); m != s.end() && m->is_number() && m->get<double>() > 0) {
    const bool whole = v.is_number_integer() && m->is_number_integer();
    const bool ok =
        whole ? v.get<int64_t>() % m->get<int64_t>() == 0
              : std::isfinite(x / m->get<double>()) && x / m->get<double>() == std::floor(x / m->get<double>());
    if (!ok) return "is not a multiple of " + m->dump();
  }
  return "";
}

size_t code_points(const std::string& s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

size_t count(const Json& s, const char* k, size_t dflt) {
  auto it = s.find(k);
  return it != s.end() && it->is_number_unsigned() ? it->get<size_t>() : dflt;
}

}  // namespace

struct SchemaValidator::Regex {
  pcre2_code* code = nullptr;
  ~Regex() { pcre2_code_free(code); }
};

SchemaValidator::SchemaValidator(Json schema) : schema_(std::move(schema)) { compile_patterns(schema_, ""); }

SchemaValidator::~SchemaValidator() = default;

// Every pattern the schema `s` holds, in it and in the schemas it holds (never in its data:
// enum, const, default, examples), compiled once.
void SchemaValidator::compile_patterns(const Json& s, const std::string& where) {
  if (!s.is_object()) return;
  for (const auto& [key, value] : s.items()) {
    const std::string inner = where + "/" + pointer_token(key);
    if (key == "pattern" && value.is_string()) add_pattern(value.get<std::string>(), inner);
    // A plain name for the key: clang 14 cannot capture a structured binding in a lambda.
    const std::string& name_of = key;
    if (std::any_of(std::begin(kData), std::end(kData), [&](const char* d) { return name_of == d; })) continue;
    const bool map = std::any_of(std::begin(kMaps), std::end(kMaps), [&](const char* m) { return name_of == m; });
    if (map && value.is_object()) {
      for (const auto& [name, sub] : value.items()) {
        if (key == "patternProperties") add_pattern(name, inner + "/" + pointer_token(name));
        compile_patterns(sub, inner + "/" + pointer_token(name));
      }
    } else if (value.is_array()) {
      for (size_t i = 0; i < value.size(); ++i) compile_patterns(value[i], inner + "/" + std::to_string(i));
    } else {
      compile_patterns(value, inner);
    }
  }
}

void SchemaValidator::add_pattern(const std::string& pattern, const std::string& where) {
  if (patterns_.count(pattern)) return;
  int error = 0;
  PCRE2_SIZE offset = 0;
  auto r = std::make_unique<Regex>();
  r->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), PCRE2_UTF | PCRE2_ALT_BSUX,
                          &error, &offset, nullptr);
  if (!r->code) {
    PCRE2_UCHAR message[256];
    pcre2_get_error_message(error, message, sizeof message);
    throw SchemaError(where, "the pattern " + Json(pattern).dump() + " is not a regular expression (" +
                                 reinterpret_cast<const char*>(message) + " at " + std::to_string(offset) + ") (at " +
                                 where + ")");
  }
  patterns_[pattern] = std::move(r);
}

// Found anywhere in the text; a match that runs past the limit counts as none.
bool SchemaValidator::matches(const std::string& pattern, const std::string& text) const {
  auto it = patterns_.find(pattern);
  if (it == patterns_.end()) return false;
  pcre2_match_context* context = pcre2_match_context_create(nullptr);
  pcre2_set_match_limit(context, kMatchLimit);
  pcre2_match_data* data = pcre2_match_data_create_from_pattern(it->second->code, nullptr);
  const int rc =
      pcre2_match(it->second->code, reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(), 0, 0, data, context);
  pcre2_match_data_free(data);
  pcre2_match_context_free(context);
  return rc >= 0;
}

std::string SchemaValidator::check(const Value& value) const {
  size_t steps = 0;
  return check(schema_, schema_, value, "", Walk{0, &steps});
}

std::string SchemaValidator::check(const Json& doc_in, const Json& s, const Value& v, const std::string& where,
                                   Walk w) const {
  if (w.depth > kMaxDepth || ++*w.steps > kMaxSteps) return at(where, "the schema is too deep or costly to check");
  if (s.is_boolean()) return s.get<bool>() ? "" : at(where, "no value is valid here");
  if (!s.is_object()) return "";
  const Json& doc = opens_document(s) ? s : doc_in;
  if (std::string e = type_error(s, v); !e.empty()) return at(where, e);
  if (auto e = s.find("enum");
      e != s.end() && e->is_array() && std::none_of(e->begin(), e->end(), [&](const Json& x) { return Value(x) == v; }))
    return at(where, "is not one of " + e->dump());
  if (s.contains("const") && Value(s["const"]) != v) return at(where, "is not " + s["const"].dump());
  if (std::string e = applicators(doc, s, v, where, w); !e.empty()) return e;
  if (v.is_object()) return object(doc, s, v, where, w);
  if (v.is_array()) return array(doc, s, v, where, w);
  if (v.is_string()) {
    const std::string e = string(s, v.get<std::string>());
    return e.empty() ? "" : at(where, e);
  }
  if (v.is_number()) {
    const std::string e = number_error(s, v);
    return e.empty() ? "" : at(where, e);
  }
  return "";
}

// $ref, allOf, anyOf, oneOf, not, if/then/else: the value against other schemas.
std::string SchemaValidator::applicators(const Json& doc, const Json& s, const Value& v, const std::string& where,
                                         Walk w) const {
  auto valid = [&](const Json& sub) { return check(doc, sub, v, where, w.deeper()).empty(); };
  if (auto r = s.find("$ref"); r != s.end() && r->is_string() && r->get<std::string>().starts_with("#")) {
    const std::string pointer = r->get<std::string>().substr(1);
    const Json* target = pointer.empty() ? &doc : nullptr;
    if (pointer.starts_with("/")) try {
        const Json::json_pointer p(pointer);
        if (doc.contains(p)) target = &doc.at(p);
      } catch (const nlohmann::json::exception&) {
      }
    if (target)
      if (std::string e = check(doc, *target, v, where, w.deeper()); !e.empty()) return e;
  }
  if (auto all = s.find("allOf"); all != s.end() && all->is_array())
    for (const Json& sub : *all)
      if (std::string e = check(doc, sub, v, where, w.deeper()); !e.empty()) return e;
  if (auto any = s.find("anyOf"); any != s.end() && any->is_array() && std::none_of(any->begin(), any->end(), valid))
    return at(where, "matches none of 'anyOf'");
  if (auto one = s.find("oneOf");
      one != s.end() && one->is_array() && std::count_if(one->begin(), one->end(), valid) != 1)
    return at(where, "does not match exactly one of 'oneOf'");
  if (s.contains("not") && valid(s["not"])) return at(where, "matches 'not'");
  if (s.contains("if")) {
    const char* branch = valid(s["if"]) ? "then" : "else";
    if (s.contains(branch) && !valid(s[branch])) return at(where, std::string("fails '") + branch + "'");
  }
  return "";
}

std::string SchemaValidator::object(const Json& doc, const Json& s, const Value& v, const std::string& where,
                                    Walk w) const {
  if (v.size() < count(s, "minProperties", 0)) return at(where, "has too few properties");
  if (v.size() > count(s, "maxProperties", SIZE_MAX)) return at(where, "has too many properties");
  if (auto r = s.find("required"); r != s.end() && r->is_array())
    for (const Json& name : *r)
      if (name.is_string() && !v.contains(name.get<std::string>()))
        return at(where, "lacks the required property " + name.dump());
  if (auto d = s.find("dependentRequired"); d != s.end() && d->is_object())
    for (const auto& [key, names] : d->items())
      if (v.contains(key) && names.is_array())
        for (const Json& name : names)
          if (name.is_string() && !v.contains(name.get<std::string>()))
            return at(where, "has " + Json(key).dump() + " without " + name.dump());
  for (const auto& [key, value] : v.items()) {
    const std::string inner = where + "/" + pointer_token(key);
    bool described = false;
    if (auto p = s.find("properties"); p != s.end() && p->is_object() && p->contains(key)) {
      described = true;
      if (std::string e = check(doc, (*p)[key], value, inner, w.deeper()); !e.empty()) return e;
    }
    if (auto pp = s.find("patternProperties"); pp != s.end() && pp->is_object())
      for (const auto& [pattern, sub] : pp->items())
        if (matches(pattern, key)) {
          described = true;
          if (std::string e = check(doc, sub, value, inner, w.deeper()); !e.empty()) return e;
        }
    if (!described && s.contains("additionalProperties"))
      if (std::string e = check(doc, s["additionalProperties"], value, inner, w.deeper()); !e.empty()) return e;
    if (s.contains("propertyNames"))
      if (std::string e = check(doc, s["propertyNames"], Value(key), inner, w.deeper()); !e.empty())
        return at(inner, "is not a valid property name");
    if (auto d = s.find("dependentSchemas"); d != s.end() && d->is_object() && d->contains(key))
      if (std::string e = check(doc, (*d)[key], v, where, w.deeper()); !e.empty()) return e;
  }
  return "";
}

std::string SchemaValidator::array(const Json& doc, const Json& s, const Value& v, const std::string& where,
                                   Walk w) const {
  if (v.size() < count(s, "minItems", 0)) return at(where, "has too few items");
  if (v.size() > count(s, "maxItems", SIZE_MAX)) return at(where, "has too many items");
  // prefixItems (or draft 7's items as a list) for the first items, then items (additionalItems).
  const Json* items = s.contains("items") ? &s["items"] : nullptr;
  const bool tuple = items && items->is_array();
  const Json* prefix = s.contains("prefixItems") ? &s["prefixItems"] : tuple ? items : nullptr;
  const Json* rest = !tuple ? items : s.contains("additionalItems") ? &s["additionalItems"] : nullptr;
  size_t contained = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    const std::string inner = where + "/" + std::to_string(i);
    const Json* sub = prefix && prefix->is_array() && i < prefix->size() ? &(*prefix)[i] : rest;
    if (sub)
      if (std::string e = check(doc, *sub, v[i], inner, w.deeper()); !e.empty()) return e;
    if (s.contains("contains")) contained += check(doc, s["contains"], v[i], inner, w.deeper()).empty();
  }
  if (s.contains("contains") &&
      (contained < count(s, "minContains", 1) || contained > count(s, "maxContains", SIZE_MAX)))
    return at(where, "does not hold as many items matching 'contains' as it must");
  if (s.contains("uniqueItems") && s["uniqueItems"] == true)
    for (size_t i = 0; i < v.size(); ++i)
      for (size_t j = i + 1; j < v.size(); ++j)
        if (v[i] == v[j]) return at(where, "has items " + std::to_string(i) + " and " + std::to_string(j) + " alike");
  return "";
}

std::string SchemaValidator::string(const Json& s, const std::string& v) const {
  const size_t n = code_points(v);
  if (n < count(s, "minLength", 0)) return "is shorter than 'minLength'";
  if (n > count(s, "maxLength", SIZE_MAX)) return "is longer than 'maxLength'";
  if (auto p = s.find("pattern"); p != s.end() && p->is_string() && !matches(p->get<std::string>(), v))
    return "does not match the pattern " + p->dump();
  if (auto f = s.find("format"); f != s.end() && f->is_string())
    if (auto grammar = format_check(f->get<std::string>()); grammar && !grammar->matches(v))
      return "is not a valid " + f->get<std::string>();
  return "";
}

}  // namespace lmc::structured
