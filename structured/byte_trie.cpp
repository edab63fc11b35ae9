#include "structured/byte_trie.h"

#include <algorithm>
#include <numeric>

namespace lmc::structured {

// Inserting the strings in sorted order creates the nodes in preorder: a node's subtree
// is complete when the walk leaves it, which is when its end is known.
std::vector<uint32_t> ByteTrie::build(const std::vector<std::string_view>& strings) {
  std::vector<uint32_t> order(strings.size());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return strings[a] < strings[b]; });
  byte_.assign(1, 0);
  end_.assign(1, 0);
  depth_.assign(1, 0);
  std::vector<uint32_t> path{0};  // path[d]: the node at depth d of the last string
  std::vector<uint32_t> node_of(strings.size());
  std::string_view previous;
  for (uint32_t i : order) {
    std::string_view s = strings[i];
    size_t common =
        static_cast<size_t>(std::mismatch(s.begin(), s.end(), previous.begin(), previous.end()).first - s.begin());
    while (path.size() > common + 1) {
      end_[path.back()] = size();
      path.pop_back();
    }
    for (size_t d = common; d < s.size(); ++d) {
      path.push_back(size());
      byte_.push_back(static_cast<uint8_t>(s[d]));
      end_.push_back(0);
      depth_.push_back(static_cast<uint32_t>(d + 1));
    }
    node_of[i] = path.back();
    previous = s;
  }
  for (uint32_t n : path) end_[n] = size();
  return node_of;
}

uint32_t ByteTrie::child(uint32_t node, uint8_t b) const {
  for (uint32_t c = node + 1; c < end_[node]; c = end_[c])
    if (byte_[c] == b) return c;
  return kNone;
}

}  // namespace lmc::structured
