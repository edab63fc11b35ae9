// Finds special tokens written literally in the text ("<start_of_turn>", "<|im_end|>", "\n\n")
// so they become their own ids before BPE sees the text around them. At each position the
// longest special token wins, leftmost first, as HF's added-token matching does.
//
// Trying the spellings at every position costs the text's length times the longest
// spelling, which a long prompt against long (or many overlapping) spellings turns into
// minutes. The matcher is an Aho-Corasick automaton over the reversed spellings instead:
// one pass from the end of the text finds, for every position, the longest spelling that
// starts there, in time linear in the text.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lmc::models {

struct TextFragment {
  std::string_view text;  // the literal text, or the special token's spelling
  int32_t token = -1;     // the special token's id, or -1 for text left to BPE
};

class SpecialMatcher {
 public:
  SpecialMatcher() = default;
  // (spelling, token) pairs; the first token of a spelling wins, empty spellings are ignored.
  explicit SpecialMatcher(const std::vector<std::pair<std::string_view, int32_t>>& specials);

  // `steps`, when given, receives the automaton's moves (at most two per byte), so tests
  // can check that matching stays linear in the text.
  std::vector<TextFragment> split(std::string_view text, size_t* steps = nullptr) const;

 private:
  struct Node {
    uint32_t depth = 0;       // bytes from the root
    int32_t token = -1;       // the spelling ending here (reversed), or -1
    uint32_t fail = 0;        // longest proper suffix that is also a node
    uint32_t longest = 0;     // deepest node with a token among this one and its fail chain; 0: none
    uint32_t first_edge = 0;  // its edges are edge_bytes_/edge_children_[first_edge, the next node's)
  };
  struct Trie;  // the trie while it grows

  uint32_t child(uint32_t node, uint8_t byte) const;  // 0 when there is no such edge
  void lay_out(const Trie& trie);
  void link(const Trie& trie);
  // For each position of `text`, the longest spelling starting there as (length, token).
  std::vector<std::pair<uint32_t, int32_t>> longest_from_each(std::string_view text, size_t& steps) const;

  std::vector<Node> nodes_{Node{}};  // node 0 is the root
  // Every node's edges, sorted by byte, one node's after another's: 5 bytes an edge, where
  // a hash map spent about 40 on each of the tens of thousands Gemma 3's control tokens make.
  std::vector<uint8_t> edge_bytes_;
  std::vector<uint32_t> edge_children_;
};

}  // namespace lmc::models
