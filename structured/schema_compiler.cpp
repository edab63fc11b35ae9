#include "structured/schema_compiler.h"

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>
#include <utility>
#include <vector>

#include "structured/disjoint.h"
#include "structured/number_bounds.h"
#include "structured/schema_document.h"
#include "structured/schema_keywords.h"
#include "structured/string_formats.h"

namespace lmc::structured {

namespace {

using Json = nlohmann::ordered_json;
using namespace schema_keywords;

// Keywords that say nothing about which values are valid.
const std::set<std::string> kAnnotations = {"title",     "description", "default",    "examples",   "$comment",
                                            "$schema",   "$id",         "$anchor",    "deprecated", "readOnly",
                                            "writeOnly", "$defs",       "definitions"};
const std::set<std::string> kCompiled = {"type",
                                         "enum",
                                         "const",
                                         "properties",
                                         "required",
                                         "additionalProperties",
                                         "items",
                                         "minItems",
                                         "maxItems",
                                         "uniqueItems",
                                         "minLength",
                                         "maxLength",
                                         "format",
                                         "pattern",
                                         "minimum",
                                         "maximum",
                                         "exclusiveMinimum",
                                         "exclusiveMaximum",
                                         "multipleOf",
                                         "anyOf",
                                         "oneOf",
                                         "allOf",
                                         "$ref"};
const char* const kBoundKeywords[] = {"minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum", "multipleOf"};
constexpr int kMaxNesting = 64;

class SchemaCompiler {
 public:
  SchemaCompiler(const Json& root, std::vector<std::string>* left_out) : root_(root), left_out_(left_out) {}
  std::shared_ptr<const Grammar> run();

 private:
  void leave_out(const std::string& pointer, const std::string& message);
  void only_with(const Json& s, const std::string& at, const std::string& keyword,
                 const std::set<std::string>& allowed);
  uint32_t compile(const Json& s, const std::string& at, int depth);
  uint32_t all_of(const Json& s, const std::string& at, int depth);
  uint32_t reference(const Json& ref, const std::string& at, int depth);
  uint32_t alternatives(const Json& s, const std::string& at, const std::string& keyword, int depth);
  uint32_t literal(const Json& s, const std::string& at);
  uint32_t typed(const Json& s, const std::string& at, int depth);
  uint32_t of_type(const std::string& type, const Json& s, const std::string& at, int depth);
  uint32_t object(const Json& s, const std::string& at, int depth);
  void required_unlisted(const Json& s, const std::string& at, std::vector<Property>& list, int depth);
  uint32_t array(const Json& s, const std::string& at, int depth);
  uint32_t string(const Json& s, const std::string& at);
  std::shared_ptr<const ByteDfa> format_of(const Json& s, const std::string& at);
  std::shared_ptr<const ByteDfa> with_pattern(const Json& p, const std::string& at,
                                              std::shared_ptr<const ByteDfa> text);
  uint32_t number(const Json& s, const std::string& at, bool integer);
  uint32_t node(NodeKind kind, const std::string& at);
  uint32_t map_of(const std::string& at, uint32_t values);
  uint32_t key_string();
  void check_one_ofs();
  uint32_t past(uint32_t id) const;
  void skip_single_unions();

  const Json& root_;
  std::vector<std::string>* left_out_;  // null: a keyword the grammar cannot hold is refused
  std::string base_;  // the pointer of the document '#' references are read in (schema_document.h)
  Grammar g_;
  std::map<std::string, uint32_t> targets_;  // $ref targets by their pointer from the root: a recursion ends there
  std::vector<std::pair<uint32_t, std::string>> one_ofs_;
  uint32_t key_string_ = kUnbounded;
  // What building the patterns' automata may cost in all, so that many costly patterns in one
  // schema take no longer than a few (those past it are left out).
  size_t pattern_work_ = 4 * ByteDfa::kMaxWork;
};

uint32_t SchemaCompiler::node(NodeKind kind, const std::string& at) {
  GrammarNode n;
  n.kind = kind;
  n.pointer = at;
  return g_.add(std::move(n));
}

// Any keys, each value of node `values`.
uint32_t SchemaCompiler::map_of(const std::string& at, uint32_t values) {
  const uint32_t id = node(NodeKind::Map, at);
  g_.node(id).item = values;
  g_.node(id).key = key_string();
  return id;
}

uint32_t SchemaCompiler::key_string() {
  if (key_string_ == kUnbounded) key_string_ = node(NodeKind::String, "(an object's key)");
  return key_string_;
}

// A keyword the grammar does not hold: refused, or noted and left to a check after decoding.
void SchemaCompiler::leave_out(const std::string& pointer, const std::string& message) {
  if (!left_out_) fail(pointer, message);
  if (std::find(left_out_->begin(), left_out_->end(), pointer) == left_out_->end()) left_out_->push_back(pointer);
}

// The keywords beside `keyword` must be annotations or `allowed`; others are left out.
void SchemaCompiler::only_with(const Json& s, const std::string& at, const std::string& keyword,
                               const std::set<std::string>& allowed) {
  for (const auto& [key, value] : s.items())
    if (key != keyword && !kAnnotations.count(key) && !allowed.count(key))
      leave_out(at + "/" + pointer_token(key), "'" + key + "' beside '" + keyword + "' is not supported");
}

uint32_t SchemaCompiler::compile(const Json& s, const std::string& at, int depth) {
  if (depth > kMaxNesting) fail(at, "the schema nests deeper than " + std::to_string(kMaxNesting) + " levels");
  if (s.is_boolean()) {
    if (!s.get<bool>()) fail(at, "the schema false admits no value");
    return g_.any();
  }
  if (!s.is_object()) fail(at, "a schema must be an object or a boolean");
  if (opens_document(s) && at != base_) {
    const std::string outer = std::exchange(base_, at);
    const uint32_t id = compile(s, at, depth);
    base_ = outer;
    return id;
  }
  for (const auto& [key, value] : s.items())
    if (!kAnnotations.count(key) && !kCompiled.count(key))
      leave_out(at + "/" + pointer_token(key),
                "'" + key + "' is not supported by structured output" +
                    (key == "nullable" ? " (write the type as a list with \"null\")" : ""));
  if (s.contains("$ref")) {
    only_with(s, at, "$ref", {});
    return reference(s["$ref"], at + "/$ref", depth);
  }
  if (s.contains("allOf")) return all_of(s, at, depth);
  if (s.contains("anyOf") && s.contains("oneOf")) leave_out(at + "/oneOf", "'oneOf' beside 'anyOf' is not supported");
  for (const char* keyword : {"anyOf", "oneOf"})
    if (s.contains(keyword)) return alternatives(s, at, keyword, depth);
  if (s.contains("enum") || s.contains("const")) return literal(s, at);
  return typed(s, at, depth);
}

// A place in the document the reference is in, compiled once: a schema that refers to
// itself is a cycle.
uint32_t SchemaCompiler::reference(const Json& ref, const std::string& at, int depth) {
  if (!ref.is_string()) fail(at, "'$ref' must be a string");
  if (ref.get<std::string>().empty() || ref.get<std::string>()[0] != '#') {
    // Another document, which lmc does not fetch: any value, when it may be left out.
    leave_out(at, "'$ref' must point into this schema ('#/$defs/NAME', '#/definitions/NAME' or '#')");
    return g_.any();
  }
  const std::string fragment = ref.get<std::string>().substr(1);
  if (!fragment.empty() && fragment[0] != '/') fail(at, "'$ref' " + Json(ref).dump() + " is not a JSON pointer");
  const std::string pointer = base_ + fragment;
  if (auto it = targets_.find(pointer); it != targets_.end()) return it->second;
  Json::json_pointer target;
  try {
    target = Json::json_pointer(pointer);
  } catch (const nlohmann::json::exception&) {
    fail(at, "'$ref' " + Json(ref).dump() + " is not a JSON pointer");
  }
  if (!root_.contains(target)) fail(at, "'$ref' " + Json(ref).dump() + " names nothing in the schema");
  // A placeholder first, so that the target's own references to itself find it.
  const uint32_t id = node(NodeKind::Union, pointer);
  targets_[pointer] = id;
  const uint32_t body = compile(root_.at(target), pointer, depth + 1);
  g_.node(id).alternatives = {body};
  return id;
}

// allOf of one schema is that schema; of more (or beside other keywords, which would be
// its conjunction with them) the grammar holds only what stands beside it.
uint32_t SchemaCompiler::all_of(const Json& s, const std::string& at, int depth) {
  const Json& all = s["allOf"];
  if (!all.is_array() || all.empty()) fail(at + "/allOf", "'allOf' must be a non-empty array of schemas");
  const bool alone = std::all_of(s.items().begin(), s.items().end(),
                                 [](const auto& kv) { return kv.key() == "allOf" || kAnnotations.count(kv.key()); });
  if (all.size() == 1 && alone) return compile(all[0], at + "/allOf/0", depth + 1);
  leave_out(at + "/allOf", "'allOf' is supported only with one schema and nothing beside it");
  Json rest = s;
  rest.erase("allOf");
  return compile(rest, at, depth);
}

uint32_t SchemaCompiler::alternatives(const Json& s, const std::string& at, const std::string& keyword, int depth) {
  only_with(s, at, keyword, {"anyOf", "oneOf"});
  const Json& list = s[keyword];
  if (!list.is_array() || list.empty())
    fail(at + "/" + keyword, "'" + keyword + "' must be a non-empty array of schemas");
  std::vector<uint32_t> alts;
  for (size_t i = 0; i < list.size(); ++i)
    alts.push_back(compile(list[i], at + "/" + keyword + "/" + std::to_string(i), depth + 1));
  const uint32_t id = node(NodeKind::Union, at + "/" + keyword);
  g_.node(id).alternatives = std::move(alts);
  if (keyword == "oneOf") one_ofs_.emplace_back(id, at + "/oneOf");
  return id;
}

// enum and const: the values as JSON texts, those of the schema's type if it has one.
uint32_t SchemaCompiler::literal(const Json& s, const std::string& at) {
  only_with(s, at, s.contains("enum") ? "enum" : "const", {"enum", "const", "type"});
  std::vector<Json> values;
  if (s.contains("enum")) {
    const Json& e = s["enum"];
    if (!e.is_array() || e.empty()) fail(at + "/enum", "'enum' must be a non-empty array");
    for (const Json& v : e)
      if (!s.contains("const") || v == s["const"]) values.push_back(v);
  } else {
    values.push_back(s["const"]);
  }
  const std::vector<std::string> types = type_list(s, at);
  std::vector<std::string> texts;
  for (const Json& v : values) {
    std::set<std::string> has = types_of(v);
    if (types.empty() || std::any_of(types.begin(), types.end(), [&](const std::string& t) { return has.count(t); }))
      texts.push_back(v.dump());
  }
  const std::string where = at + (s.contains("enum") ? "/enum" : "/const");
  if (texts.empty()) fail(where, "no value of '" + where.substr(where.rfind('/') + 1) + "' is valid for the schema");
  const uint32_t id = node(NodeKind::Literal, at);
  g_.node(id).texts = std::move(texts);
  return id;
}

// The types named, or those the keywords are about; an alternative per type.
uint32_t SchemaCompiler::typed(const Json& s, const std::string& at, int depth) {
  std::vector<std::string> types = type_list(s, at);
  if (!s.contains("type")) {
    auto about = [&](const char* type, std::initializer_list<const char*> keywords) {
      if (std::any_of(keywords.begin(), keywords.end(), [&](const char* k) { return s.contains(k); }))
        types.push_back(type);
    };
    about("object", {"properties", "required", "additionalProperties"});
    about("array", {"items", "minItems", "maxItems", "uniqueItems"});
    about("string", {"minLength", "maxLength", "format", "pattern"});
    about("number", {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"});
    if (types.empty()) return g_.any();
  }
  // An integer is a number: with both, any number.
  if (std::find(types.begin(), types.end(), "number") != types.end()) std::erase(types, "integer");
  std::vector<uint32_t> alts;
  for (const std::string& t : types) {
    alts.push_back(of_type(t, s, at, depth));
    g_.node(alts.back()).loose = !s.contains("type");
  }
  if (alts.size() == 1) return alts[0];
  const uint32_t id = node(NodeKind::Union, at + "/type");
  g_.node(id).alternatives = std::move(alts);
  return id;
}

uint32_t SchemaCompiler::of_type(const std::string& type, const Json& s, const std::string& at, int depth) {
  if (type == "object") return object(s, at, depth);
  if (type == "array") return array(s, at, depth);
  if (type == "string") return string(s, at);
  if (type == "number" || type == "integer") return number(s, at, type == "integer");
  const uint32_t id = node(NodeKind::Literal, at);
  g_.node(id).texts = type == "boolean" ? std::vector<std::string>{"true", "false"} : std::vector<std::string>{"null"};
  return id;
}

// A string's text held to an automaton: a format's (string_formats.h), a pattern's
// (byte_dfa.h) or the texts both match, with the length folded in where the automaton alone
// could run past it (which would leave the answer no way to end). What does not fit is left out.
uint32_t SchemaCompiler::string(const Json& s, const std::string& at) {
  auto [lo, hi] = range(s, "minLength", "maxLength", at);
  std::shared_ptr<const ByteDfa> text = format_of(s, at);
  if (auto p = s.find("pattern"); p != s.end()) text = with_pattern(*p, at + "/pattern", std::move(text));
  if (text && (text->shortest() < lo || text->longest() > hi)) {
    try {
      text = std::make_shared<const ByteDfa>(ByteDfa::both(*text, ByteDfa::of_length(lo, hi)));
    } catch (const std::invalid_argument& e) {
      leave_out(at + (s.contains("minLength") ? "/minLength" : "/maxLength"),
                std::string("a length beside 'format' or 'pattern' cannot be kept: ") + e.what());
      lo = 0;
      hi = kUnbounded;
    }
  }
  const uint32_t id = node(NodeKind::String, at);
  g_.node(id).min = lo;
  g_.node(id).max = hi;
  g_.node(id).format = std::move(text);
  return id;
}

std::shared_ptr<const ByteDfa> SchemaCompiler::format_of(const Json& s, const std::string& at) {
  auto f = s.find("format");
  if (f == s.end()) return nullptr;
  if (!f->is_string()) fail(at + "/format", "'format' must be a string");
  std::shared_ptr<const ByteDfa> format = string_format(f->get<std::string>());
  if (!format)
    leave_out(at + "/format", "'format' " + f->dump() +
                                  " is not supported by structured output (date, time, date-time, uuid, ipv4, ipv6, "
                                  "email, hostname and uri are)");
  return format;
}

// The pattern's automaton, found anywhere in the text (JSON schema's reading), with `text`'s.
std::shared_ptr<const ByteDfa> SchemaCompiler::with_pattern(const Json& p, const std::string& at,
                                                            std::shared_ptr<const ByteDfa> text) {
  if (!p.is_string()) fail(at, "'pattern' must be a string");
  try {
    auto own = std::make_shared<const ByteDfa>(p.get<std::string>(), ByteDfa::Match::Anywhere, &pattern_work_);
    return text ? std::make_shared<const ByteDfa>(ByteDfa::both(*text, *own)) : own;
  } catch (const std::invalid_argument& e) {
    leave_out(at, std::string("'pattern' is not supported by structured output: ") + e.what());
    return text;
  }
}

// Bounds the matcher holds a number to as it reads its digits (number_bounds.h).
uint32_t SchemaCompiler::number(const Json& s, const std::string& at, bool integer) {
  bool fractional_step = false;
  NumberBounds bounds;
  try {
    bounds = number_bounds(s, fractional_step);
  } catch (const BoundError& e) {
    fail(at + "/" + e.keyword, e.what());
  }
  if (fractional_step) leave_out(at + "/multipleOf", "'multipleOf' is supported only as a whole number");
  if (bounds.none()) {
    const char* const* first = std::find_if(std::begin(kBoundKeywords), std::end(kBoundKeywords),
                                            [&](const char* k) { return s.contains(k); });
    leave_out(at + "/" + *first, std::string("no ") + (integer ? "integer" : "number") +
                                     " lmc can write lies within the bounds (it writes a fraction only within a "
                                     "whole unit inside them, and at most 15 integer digits)");
    bounds = NumberBounds{};
  }
  const uint32_t id = node(NodeKind::Number, at);
  g_.node(id).integer = integer;
  g_.node(id).bounds = bounds;
  return id;
}

uint32_t SchemaCompiler::object(const Json& s, const std::string& at, int depth) {
  static const Json kNone = Json::object();
  const Json& props = s.contains("properties") ? s["properties"] : kNone;
  if (!props.is_object()) fail(at + "/properties", "'properties' must be an object of schemas");
  std::set<std::string> required;
  if (auto r = s.find("required"); r != s.end()) {
    if (!r->is_array()) fail(at + "/required", "'required' must be an array of property names");
    for (size_t i = 0; i < r->size(); ++i) {
      const Json& name = (*r)[i];
      const std::string where = at + "/required/" + std::to_string(i);
      if (!name.is_string() || !required.insert(name.get<std::string>()).second)
        fail(where, "'required' must list distinct property names");
      if (!props.contains(name.get<std::string>()) && !left_out_)
        fail(where, "required property '" + name.get<std::string>() + "' is not in 'properties'");
    }
  }
  const Json* more = s.contains("additionalProperties") ? &s["additionalProperties"] : nullptr;
  if (more && !more->is_boolean() && !more->is_object())
    fail(at + "/additionalProperties", "'additionalProperties' must be a boolean or a schema");
  if (props.empty() && required.empty() && !(more && *more == false)) {
    // No properties listed: any keys, each value of additionalProperties' schema.
    return map_of(at, more && more->is_object() ? compile(*more, at + "/additionalProperties", depth + 1) : g_.any());
  }
  const auto unlisted =
      std::count_if(required.begin(), required.end(), [&](const std::string& r) { return !props.contains(r); });
  if (props.size() + static_cast<size_t>(unlisted) > kMaxProperties) {
    // The keys' sets would cost more than they are worth: any object, checked after decoding.
    leave_out(at + "/properties", "an object may list at most " + std::to_string(kMaxProperties) + " properties");
    return map_of(at, g_.any());
  }
  std::vector<Property> list;
  for (const auto& [name, schema] : props.items())
    list.push_back({Json(name).dump(), compile(schema, at + "/properties/" + pointer_token(name), depth + 1),
                    required.count(name) > 0});
  required_unlisted(s, at, list, depth);
  const uint32_t id = node(NodeKind::Object, at);
  g_.node(id).properties = std::move(list);
  return id;
}

// Required properties 'properties' does not list (only when keywords may be left out, as
// they are valid JSON schema): written after the listed ones, of additionalProperties' schema.
void SchemaCompiler::required_unlisted(const Json& s, const std::string& at, std::vector<Property>& list, int depth) {
  static const Json kNone = Json::object();
  const Json& props = s.contains("properties") ? s["properties"] : kNone;
  const Json* more = s.contains("additionalProperties") ? &s["additionalProperties"] : nullptr;
  for (const Json& name : s.contains("required") ? s["required"] : Json::array()) {
    if (props.contains(name.get<std::string>())) continue;
    if (more && *more == false)
      fail(at + "/required", "required property '" + name.get<std::string>() +
                                 "' is not in 'properties' and 'additionalProperties' is false");
    const uint32_t value =
        more && more->is_object() ? compile(*more, at + "/additionalProperties", depth + 1) : g_.any();
    list.push_back({name.dump(), value, true});
  }
}

// uniqueItems, a tuple's items and prefixItems are left out (any items then), never refused.
uint32_t SchemaCompiler::array(const Json& s, const std::string& at, int depth) {
  if (auto u = s.find("uniqueItems"); u != s.end() && !(u->is_boolean() && !u->get<bool>()))
    leave_out(at + "/uniqueItems", "'uniqueItems' is not supported by structured output (only false)");
  uint32_t items = 0;
  if (auto it = s.find("items"); it == s.end() || s.contains("prefixItems")) {
    items = g_.any();
  } else if (it->is_array()) {
    leave_out(at + "/items", "'items' as a list of schemas (a tuple) is not supported");
    items = g_.any();
  } else {
    items = compile(*it, at + "/items", depth + 1);
  }
  const auto [lo, hi] = range(s, "minItems", "maxItems", at);
  const uint32_t id = node(NodeKind::Array, at);
  g_.node(id).item = items;
  g_.node(id).min = lo;
  g_.node(id).max = hi;
  return id;
}

// oneOf means exactly one: refused (or left out: anyOf then) unless no answer of one
// alternative can match another.
void SchemaCompiler::check_one_ofs() {
  for (const auto& [id, at] : one_ofs_) {
    const std::vector<uint32_t>& alts = g_.node(id).alternatives;
    bool apart = true;
    for (size_t j = 1; j < alts.size() && apart; ++j)
      for (size_t i = 0; i < j && apart; ++i)
        if (!disjoint(g_, alts[i], alts[j])) {
          apart = false;
          leave_out(at + "/" + std::to_string(j), "'oneOf' alternatives " + std::to_string(i) + " and " +
                                                      std::to_string(j) +
                                                      " may both match one answer (use anyOf, or tell them apart by "
                                                      "a required property's const)");
        }
  }
}

// A $ref's placeholder holds one alternative: point past it, so reading a referenced
// value does not cost a union.
uint32_t SchemaCompiler::past(uint32_t id) const {
  auto single = [&](uint32_t n) { return g_.node(n).kind == NodeKind::Union && g_.node(n).alternatives.size() == 1; };
  for (uint32_t hops = 0; hops < g_.size() && single(id); ++hops) id = g_.node(id).alternatives[0];
  return id;
}

void SchemaCompiler::skip_single_unions() {
  for (uint32_t i = 0; i < g_.size(); ++i) {
    GrammarNode& n = g_.node(i);
    for (Property& p : n.properties) p.value = past(p.value);
    for (uint32_t& a : n.alternatives) a = past(a);
    if (n.kind == NodeKind::Array || n.kind == NodeKind::Map) n.item = past(n.item);
  }
}

std::shared_ptr<const Grammar> SchemaCompiler::run() {
  const uint32_t root = compile(root_, "", 0);
  check_one_ofs();
  skip_single_unions();
  const uint32_t top = past(root);
  const uint32_t endless = g_.finish(top);
  if (endless != kUnbounded)
    fail(g_.node(endless).pointer, "the schema has no finite value here (a required property that recurses forever)");
  if (!g_.fits(top, kMaxFrames))
    fail("", "every value of the schema nests deeper than the " + std::to_string(kMaxFrames) +
                 " levels structured output follows");
  return std::make_shared<const Grammar>(std::move(g_));
}

}  // namespace

std::shared_ptr<const Grammar> compile_schema(const nlohmann::ordered_json& schema,
                                              std::vector<std::string>* left_out) {
  return SchemaCompiler(schema, left_out).run();
}

std::shared_ptr<const Grammar> json_object_grammar() {
  Grammar g;
  GrammarNode map;
  map.kind = NodeKind::Map;
  map.pointer = "(any JSON object)";
  map.item = g.any();
  GrammarNode key;
  key.kind = NodeKind::String;
  key.pointer = "(an object's key)";
  map.key = g.add(std::move(key));
  g.finish(g.add(std::move(map)));
  return std::make_shared<const Grammar>(std::move(g));
}

}  // namespace lmc::structured
