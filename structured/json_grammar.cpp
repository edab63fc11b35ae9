#include "structured/json_grammar.h"

#include <algorithm>

namespace lmc::structured {

void LiteralTrie::build(const std::vector<std::string>& strings, bool sets) {
  std::vector<std::string_view> views(strings.begin(), strings.end());
  std::vector<uint32_t> node_of = trie.build(views);
  value.assign(trie.size(), -1);
  to_end.assign(trie.size(), kInfinite);
  for (size_t i = strings.size(); i-- > 0;) value[node_of[i]] = static_cast<int32_t>(i);  // the first of duplicates
  words = sets ? static_cast<uint32_t>((strings.size() + 63) / 64) : 0;
  below.assign(size_t{trie.size()} * words, 0);
  for (size_t i = 0; sets && i < strings.size(); ++i) {
    const uint64_t bit = uint64_t{1} << (i % 64);
    uint32_t n = 0;
    below[i / 64] |= bit;
    for (char c : strings[i]) {
      n = trie.child(n, static_cast<uint8_t>(c));
      below[size_t{n} * words + i / 64] |= bit;
    }
  }
  // Children come after their parent in preorder.
  for (uint32_t n = trie.size(); n-- > 0;) {
    if (value[n] >= 0) {
      to_end[n] = 0;
      continue;
    }
    for (uint32_t c = n + 1; c < trie.end(n); c = trie.end(c)) to_end[n] = std::min(to_end[n], plus(to_end[c], 1));
  }
}

uint32_t property_bytes(const Grammar& g, const GrammarNode& object, uint32_t p, uint32_t done) {
  const Property& prop = object.properties[p];
  const auto key = static_cast<uint32_t>(prop.key.size()) - done;
  return plus(plus(key + 1, g.node(prop.value).min_bytes), object.required_bytes[p + 1]);
}

uint32_t Grammar::add(GrammarNode node) {
  nodes_.push_back(std::move(node));
  return size() - 1;
}

uint32_t Grammar::any() {
  if (any_ != kUnbounded) return any_;
  auto node = [](NodeKind kind) {
    GrammarNode n;
    n.kind = kind;
    n.pointer = "(any JSON value)";
    return n;
  };
  any_ = add(node(NodeKind::Union));
  GrammarNode map = node(NodeKind::Map), array = node(NodeKind::Array), literal = node(NodeKind::Literal);
  map.key = add(node(NodeKind::String));
  map.item = array.item = any_;
  literal.texts = {"true", "false", "null"};
  nodes_[any_].alternatives = {add(map), add(array), add(node(NodeKind::String)), add(node(NodeKind::Number)),
                               add(literal)};
  return any_;
}

uint32_t Grammar::finish(uint32_t root) {
  root_ = root;
  for (GrammarNode& n : nodes_) {
    if (n.kind == NodeKind::Literal) n.trie.build(n.texts);
    if (n.kind != NodeKind::Object) continue;
    std::vector<std::string> keys;
    for (const Property& p : n.properties) keys.push_back(p.key);
    n.trie.build(keys, true);
    n.next_required.assign(n.properties.size() + 1, static_cast<uint32_t>(n.properties.size()));
    for (size_t i = n.properties.size(); i-- > 0;)
      n.next_required[i] = n.properties[i].required ? static_cast<uint32_t>(i) : n.next_required[i + 1];
  }
  compute_shortest();
  for (GrammarNode& n : nodes_)
    if (n.kind == NodeKind::Object) index_properties(n);
  std::vector<bool> seen(nodes_.size());
  std::vector<uint32_t> todo{root};
  while (!todo.empty()) {
    uint32_t id = todo.back();
    todo.pop_back();
    if (seen[id]) continue;
    seen[id] = true;
    const GrammarNode& n = nodes_[id];
    if (n.min_bytes == kInfinite) return id;
    for (const Property& p : n.properties) todo.push_back(p.value);
    for (uint32_t a : n.alternatives) todo.push_back(a);
    if (n.kind == NodeKind::Array || n.kind == NodeKind::Map) todo.push_back(n.item);
    if (n.kind == NodeKind::Map) todo.push_back(n.key);
  }
  return kUnbounded;
}

// Which properties' values fit in each room the matcher's stack may leave an object.
void Grammar::index_properties(GrammarNode& n) const {
  const uint32_t words = n.trie.words;
  n.fitting.assign(size_t{kMaxFrames + 1} * words, 0);
  for (uint32_t room = 0; room <= kMaxFrames; ++room)
    for (size_t p = 0; p < n.properties.size(); ++p)
      if (fits(n.properties[p].value, room)) n.fitting[room * words + p / 64] |= uint64_t{1} << (p % 64);
}

// A fixed point from "no finite text" downwards: each round can only shorten a node (or
// make it shallower), and the shortest text of a node is built from its children's within
// as many rounds as there are nodes.
void Grammar::compute_shortest() {
  for (size_t round = 0; round <= nodes_.size(); ++round) {
    bool changed = false;
    for (GrammarNode& n : nodes_) {
      if (n.kind == NodeKind::Object) {
        n.required_bytes.assign(n.properties.size() + 1, 0);
        for (size_t i = n.properties.size(); i-- > 0;) {
          const Property& p = n.properties[i];
          const auto key = static_cast<uint32_t>(p.key.size());
          const uint32_t own = p.required ? plus(key + 2, nodes_[p.value].min_bytes) : 0;  // with ',' and ':'
          n.required_bytes[i] = plus(n.required_bytes[i + 1], own);
        }
      }
      const uint32_t m = min_bytes_of(n), f = min_frames_of(n);
      if (m < n.min_bytes || f < n.min_frames) {
        n.min_bytes = std::min(n.min_bytes, m);
        n.min_frames = std::min(n.min_frames, f);
        changed = true;
      }
    }
    if (!changed) return;
  }
}

uint32_t Grammar::min_bytes_of(const GrammarNode& n) const {
  switch (n.kind) {
    case NodeKind::Object: {
      // "{}" when nothing is required, else the cheapest first key (the required ones
      // after it follow with their commas).
      const auto count = static_cast<uint32_t>(n.properties.size());
      uint32_t best = n.first_required(0) == count ? 2 : kInfinite;
      for (uint32_t p = 0; p < count && p <= n.first_required(0); ++p)
        best = std::min(best, plus(property_bytes(*this, n, p, 0), 2));
      return best;
    }
    case NodeKind::Map:
      return 2;
    case NodeKind::Array:  // each item after a '[' or ',', then ']'
      return n.min == 0 ? 2 : plus(times(plus(nodes_[n.item].min_bytes, 1), n.min), 1);
    case NodeKind::String:
      return plus(n.format ? std::max(n.min, n.format->shortest()) : n.min, 2);
    case NodeKind::Number:
      return n.bounds.any() ? 1 : n.bounds.shortest_text();
    case NodeKind::Literal:
      return n.trie.to_end.empty() ? kInfinite : n.trie.to_end[0];
    case NodeKind::Union: {
      uint32_t best = kInfinite;
      for (uint32_t a : n.alternatives) best = std::min(best, nodes_[a].min_bytes);
      return best;
    }
  }
  return kInfinite;
}

// The shallowest text: an object's required values below it (the optional ones may be
// left out), an array's fewest items below it, an alternative's own.
uint32_t Grammar::min_frames_of(const GrammarNode& n) const {
  auto below = [](uint32_t frames) { return frames == kInfinite ? kInfinite : frames + 1; };
  switch (n.kind) {
    case NodeKind::Object: {
      uint32_t deepest = 1;
      for (const Property& p : n.properties)
        if (p.required) deepest = std::max(deepest, below(nodes_[p.value].min_frames));
      return deepest;
    }
    case NodeKind::Array:
      return n.min == 0 ? 1 : below(nodes_[n.item].min_frames);
    case NodeKind::Union: {
      uint32_t best = kInfinite;
      for (uint32_t a : n.alternatives) best = std::min(best, nodes_[a].min_frames);
      return best;
    }
    default:
      return 1;
  }
}

}  // namespace lmc::structured
