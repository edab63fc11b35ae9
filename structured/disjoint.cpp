#include "structured/disjoint.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace lmc::structured {

namespace {

// JSON kinds as bits; numbers are one kind (an integer is a number).
enum Kind : uint8_t { kObject = 1, kArray = 2, kString = 4, kNumber = 8, kBoolean = 16, kNull = 32, kAll = 63 };
constexpr int kMaxDepth = 8;  // through unions and properties; deeper is "unsure"

uint8_t kind_of_text(const std::string& text) {
  switch (text[0]) {
    case '{':
      return kObject;
    case '[':
      return kArray;
    case '"':
      return kString;
    case 't':
    case 'f':
      return kBoolean;
    case 'n':
      return kNull;
    default:
      return kNumber;
  }
}

// The kinds of the answers generated from a node, or (judging) of the values its schema
// accepts.
uint8_t kinds(const Grammar& g, uint32_t id, bool judging, int depth) {
  const GrammarNode& n = g.node(id);
  if (judging && n.loose) return kAll;
  switch (n.kind) {
    case NodeKind::Object:
    case NodeKind::Map:
      return kObject;
    case NodeKind::Array:
      return kArray;
    case NodeKind::String:
      return kString;
    case NodeKind::Number:
      return kNumber;
    case NodeKind::Literal: {
      uint8_t k = 0;
      for (const std::string& t : n.texts) k |= kind_of_text(t);
      return k;
    }
    case NodeKind::Union: {
      if (depth == kMaxDepth) return kAll;
      uint8_t k = 0;
      for (uint32_t a : n.alternatives) k |= kinds(g, a, judging, depth + 1);
      return k;
    }
  }
  return kAll;
}

bool never_valid(const Grammar& g, uint32_t made, uint32_t judge, int depth);

// No value is in both (1 and 1.0 are one value to a validator).
bool literals_apart(const GrammarNode& a, const GrammarNode& b) {
  for (const std::string& x : a.texts)
    for (const std::string& y : b.texts)
      if (nlohmann::json::parse(x) == nlohmann::json::parse(y)) return false;
  return true;
}

const Property* find(const GrammarNode& object, const std::string& key) {
  auto it =
      std::find_if(object.properties.begin(), object.properties.end(), [&](const Property& p) { return p.key == key; });
  return it == object.properties.end() ? nullptr : &*it;
}

// An answer of `made` writes only its listed properties and always its required ones: the
// judge refuses it when it requires a property `made` does not list, or when a property
// `made` always writes has values the judge's schema for it never accepts (a discriminator).
bool object_never_valid(const Grammar& g, const GrammarNode& made, const GrammarNode& judge, int depth) {
  for (const Property& q : judge.properties)
    if (q.required && !find(made, q.key)) return true;
  for (const Property& p : made.properties) {
    const Property* q = find(judge, p.key);
    if (p.required && q && never_valid(g, p.value, q->value, depth + 1)) return true;
  }
  return false;
}

bool never_valid(const Grammar& g, uint32_t made, uint32_t judge, int depth) {
  if (depth == kMaxDepth) return false;
  if (!(kinds(g, made, false, 0) & kinds(g, judge, true, 0))) return true;
  const GrammarNode& m = g.node(made);
  const GrammarNode& j = g.node(judge);
  if (m.kind == NodeKind::Union)
    return std::all_of(m.alternatives.begin(), m.alternatives.end(),
                       [&](uint32_t alt) { return never_valid(g, alt, judge, depth + 1); });
  if (j.kind == NodeKind::Union)
    return std::all_of(j.alternatives.begin(), j.alternatives.end(),
                       [&](uint32_t alt) { return never_valid(g, made, alt, depth + 1); });
  if (m.kind == NodeKind::Literal && j.kind == NodeKind::Literal) return literals_apart(m, j);
  if (m.kind == NodeKind::Object && j.kind == NodeKind::Object) return object_never_valid(g, m, j, depth);
  return false;
}

}  // namespace

bool disjoint(const Grammar& g, uint32_t a, uint32_t b) { return never_valid(g, a, b, 0) && never_valid(g, b, a, 0); }

}  // namespace lmc::structured
