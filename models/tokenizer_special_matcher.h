// Finds special tokens written literally in the text ("<start_of_turn>", "<|im_end|>", "\n\n")
// so they become their own ids before BPE sees the text around them. At each position the
// longest special token wins, leftmost first, as HF's added-token matching does.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace lmc::models {

struct TextFragment {
  std::string_view text;  // the literal text, or the special token's spelling
  int32_t token = -1;     // the special token's id, or -1 for text left to BPE
};

class SpecialMatcher {
 public:
  void add(std::string_view spelling, int32_t token);  // the first token of a spelling wins
  std::vector<TextFragment> split(std::string_view text) const;

 private:
  // Longest special spelled at text[pos], or {0, -1}.
  std::pair<size_t, int32_t> longest_at(std::string_view text, size_t pos) const;

  // A byte trie: node 0 is the root; edges are keyed by (node << 8 | byte).
  std::unordered_map<uint64_t, uint32_t> edges_;
  std::vector<int32_t> token_at_node_{-1};
};

}  // namespace lmc::models
