#include "models/tokenizer_special_matcher.h"

namespace lmc::models {
namespace {

uint64_t edge_key(uint32_t node, uint8_t byte) { return (static_cast<uint64_t>(node) << 8) | byte; }

}  // namespace

SpecialMatcher::SpecialMatcher(const std::vector<std::pair<std::string_view, int32_t>>& specials) {
  for (const auto& [spelling, token] : specials) insert_reversed(spelling, token);
  link();
}

uint32_t SpecialMatcher::child(uint32_t node, uint8_t byte) const {
  auto it = edges_.find(edge_key(node, byte));
  return it == edges_.end() ? 0 : it->second;
}

void SpecialMatcher::insert_reversed(std::string_view spelling, int32_t token) {
  if (spelling.empty()) return;
  uint32_t node = 0;
  for (auto it = spelling.rbegin(); it != spelling.rend(); ++it) {
    const auto byte = static_cast<uint8_t>(*it);
    auto [edge, inserted] = edges_.try_emplace(edge_key(node, byte), static_cast<uint32_t>(nodes_.size()));
    if (inserted) nodes_.push_back({node, byte, nodes_[node].depth + 1, -1, 0, 0});
    node = edge->second;
  }
  if (nodes_[node].token < 0) nodes_[node].token = token;
}

// Failure links in order of depth, so a node's parent (and every shorter suffix) is
// linked before it.
void SpecialMatcher::link() {
  std::vector<std::vector<uint32_t>> by_depth;
  for (uint32_t n = 1; n < nodes_.size(); ++n) {
    if (nodes_[n].depth >= by_depth.size()) by_depth.resize(nodes_[n].depth + 1);
    by_depth[nodes_[n].depth].push_back(n);
  }
  for (const auto& level : by_depth)
    for (uint32_t n : level) {
      Node& node = nodes_[n];
      if (node.depth > 1) {
        uint32_t f = nodes_[node.parent].fail;
        while (f != 0 && child(f, node.byte) == 0) f = nodes_[f].fail;
        node.fail = child(f, node.byte);
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
