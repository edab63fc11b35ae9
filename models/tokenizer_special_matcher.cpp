#include "models/tokenizer_special_matcher.h"

namespace lmc::models {
namespace {

uint64_t edge_key(uint32_t node, char byte) {
  return (static_cast<uint64_t>(node) << 8) | static_cast<uint8_t>(byte);
}

}  // namespace

void SpecialMatcher::add(std::string_view spelling, int32_t token) {
  if (spelling.empty()) return;
  uint32_t node = 0;
  for (char b : spelling) {
    auto [it, inserted] = edges_.try_emplace(edge_key(node, b), static_cast<uint32_t>(token_at_node_.size()));
    if (inserted) token_at_node_.push_back(-1);
    node = it->second;
  }
  if (token_at_node_[node] < 0) token_at_node_[node] = token;
}

std::pair<size_t, int32_t> SpecialMatcher::longest_at(std::string_view text, size_t pos) const {
  std::pair<size_t, int32_t> best{0, -1};
  uint32_t node = 0;
  for (size_t i = pos; i < text.size(); ++i) {
    auto it = edges_.find(edge_key(node, text[i]));
    if (it == edges_.end()) break;
    node = it->second;
    if (token_at_node_[node] >= 0) best = {i + 1 - pos, token_at_node_[node]};
  }
  return best;
}

std::vector<TextFragment> SpecialMatcher::split(std::string_view text) const {
  std::vector<TextFragment> out;
  size_t plain_start = 0;
  for (size_t pos = 0; pos < text.size();) {
    auto [len, token] = longest_at(text, pos);
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
