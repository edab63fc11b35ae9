// A trie of byte strings laid out in preorder, the one shape behind every set of strings
// structured output matches against: an object's keys, an enum's texts, the vocabulary's
// tokens. Node n's subtree is the range [n, end[n]), so its children are n + 1, then
// end[n + 1], ... up to end[n]: a walk needs no child lists, and the 262144 tokens of
// Gemma 3's vocabulary fit in two arrays.
#pragma once
#include <cstdint>
#include <string_view>
#include <vector>

namespace lmc::structured {

class ByteTrie {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  // Builds the trie of `strings` (duplicates allowed); returns, for each string, the node
  // where it ends. Node 0 is the root (the empty string).
  std::vector<uint32_t> build(const std::vector<std::string_view>& strings);

  uint32_t size() const { return static_cast<uint32_t>(byte_.size()); }
  uint8_t byte(uint32_t node) const { return byte_[node]; }  // of the edge into the node
  uint32_t end(uint32_t node) const { return end_[node]; }
  uint32_t depth(uint32_t node) const { return depth_[node]; }
  uint32_t child(uint32_t node, uint8_t b) const;

 private:
  std::vector<uint8_t> byte_;
  std::vector<uint32_t> end_;
  std::vector<uint32_t> depth_;
};

}  // namespace lmc::structured
