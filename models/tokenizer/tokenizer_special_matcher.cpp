#include "models/tokenizer/tokenizer_special_matcher.h"

#include <algorithm>
#include <numeric>
#include <unordered_map>

namespace lmc::models {

// The trie while it grows: its edges in a hash map, and what link() needs of each node
// beyond what the matcher keeps.
struct SpecialMatcher::Trie {
  std::unordered_map<uint64_t, uint32_t> edges;  // (node << 8 | byte) -> child
  std::vector<uint32_t> parent{0};
  std::vector<uint8_t> byte{0};  // on the edge from parent
  std::vector<uint32_t> depth{0};
  std::vector<int32_t> token{-1};

  void insert_reversed(std::string_view spelling, int32_t id);
};

void SpecialMatcher::Trie::insert_reversed(std::string_view spelling, int32_t id) {
  if (spelling.empty()) return;
  uint32_t node = 0;
  for (auto it = spelling.rbegin(); it != spelling.rend(); ++it) {
    const auto b = static_cast<uint8_t>(*it);
    const auto next = static_cast<uint32_t>(parent.size());
    auto [edge, inserted] = edges.try_emplace((static_cast<uint64_t>(node) << 8) | b, next);
    if (inserted) {
      parent.push_back(node);
      byte.push_back(b);
      depth.push_back(depth[node] + 1);
      token.push_back(-1);
    }
    node = edge->second;
  }
  if (token[node] < 0) token[node] = id;
}

SpecialMatcher::SpecialMatcher(const std::vector<std::pair<std::string_view, int32_t>>& specials) {
  Trie trie;
  for (const auto& [spelling, token] : specials) trie.insert_reversed(spelling, token);
  lay_out(trie);
  link(trie);
}

// Each node but the root is the child on one edge; sorted by (parent, byte), those edges
// are every node's in turn.
void SpecialMatcher::lay_out(const Trie& trie) {
  const auto n = static_cast<uint32_t>(trie.parent.size());
  std::vector<uint32_t> by_parent(n - 1);
  std::iota(by_parent.begin(), by_parent.end(), 1u);
  std::sort(by_parent.begin(), by_parent.end(), [&](uint32_t a, uint32_t b) {
    return std::pair(trie.parent[a], trie.byte[a]) < std::pair(trie.parent[b], trie.byte[b]);
  });
  nodes_.assign(n, Node{});
  for (uint32_t i = 0; i < n; ++i) {
    nodes_[i].depth = trie.depth[i];
    nodes_[i].token = trie.token[i];
  }
  edge_bytes_.reserve(n - 1);
  edge_children_.reserve(n - 1);
  uint32_t node = 0;
  for (uint32_t c : by_parent) {
    while (node < trie.parent[c]) nodes_[++node].first_edge = static_cast<uint32_t>(edge_bytes_.size());
    edge_bytes_.push_back(trie.byte[c]);
    edge_children_.push_back(c);
  }
  while (node + 1 < n) nodes_[++node].first_edge = static_cast<uint32_t>(edge_bytes_.size());
}

uint32_t SpecialMatcher::child(uint32_t node, uint8_t byte) const {
  const auto first = edge_bytes_.begin() + nodes_[node].first_edge;
  const auto last = node + 1 < nodes_.size() ? edge_bytes_.begin() + nodes_[node + 1].first_edge : edge_bytes_.end();
  const auto it = std::lower_bound(first, last, byte);
  return it != last && *it == byte ? edge_children_[static_cast<size_t>(it - edge_bytes_.begin())] : 0;
}

// Failure links in order of depth, so a node's parent (and every shorter suffix) is
// linked before it.
void SpecialMatcher::link(const Trie& trie) {
  std::vector<std::vector<uint32_t>> by_depth;
  for (uint32_t n = 1; n < nodes_.size(); ++n) {
    if (nodes_[n].depth >= by_depth.size()) by_depth.resize(nodes_[n].depth + 1);
    by_depth[nodes_[n].depth].push_back(n);
  }
  for (const auto& level : by_depth)
    for (uint32_t n : level) {
      Node& node = nodes_[n];
      if (node.depth > 1) {
        uint32_t f = nodes_[trie.parent[n]].fail;
        while (f != 0 && child(f, trie.byte[n]) == 0) f = nodes_[f].fail;
        node.fail = child(f, trie.byte[n]);
      }
      node.longest = node.token >= 0 ? n : nodes_[node.fail].longest;
    }
}

std::vector<std::pair<uint32_t, int32_t>> SpecialMatcher::longest_from_each(std::string_view text,
                                                                            size_t& steps) const {
  // Reading the text backwards, after text[i] the state is the longest text[i..i+d) that
  // ends some spelling; the node with a token on its fail chain is then the longest whole
  // spelling that starts at i.
  std::vector<std::pair<uint32_t, int32_t>> out(text.size(), {0, -1});
  uint32_t state = 0;
  for (size_t i = text.size(); i-- > 0;) {
    const auto byte = static_cast<uint8_t>(text[i]);
    uint32_t next = child(state, byte);
    ++steps;
    while (next == 0 && state != 0) {
      state = nodes_[state].fail;
      next = child(state, byte);
      ++steps;
    }
    state = next;
    const Node& best = nodes_[nodes_[state].longest];
    if (best.token >= 0) out[i] = {best.depth, best.token};
  }
  return out;
}

std::vector<TextFragment> SpecialMatcher::split(std::string_view text, size_t* steps) const {
  size_t moves = 0;
  const auto longest = longest_from_each(text, moves);
  if (steps) *steps = moves;
  std::vector<TextFragment> out;
  size_t plain_start = 0;
  for (size_t pos = 0; pos < text.size();) {
    auto [len, token] = longest[pos];
    if (token < 0) {
      ++pos;
      continue;
    }
    if (pos > plain_start) out.push_back({text.substr(plain_start, pos - plain_start), -1});
    out.push_back({text.substr(pos, len), token});
    pos += len;
    plain_start = pos;
  }
  if (plain_start < text.size()) out.push_back({text.substr(plain_start), -1});
  return out;
}

}  // namespace lmc::models
