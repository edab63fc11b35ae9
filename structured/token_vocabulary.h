// A model's vocabulary as structured output sees it: the bytes each token writes, in a
// trie (byte_trie.h) so that a token mask walks shared prefixes once, built once per
// model and shared by every constrained request.
//
// Most tokens are "plain" text: printable characters, no quote, backslash or control
// byte, whole UTF-8 characters only. Inside a JSON string any of them may follow, and
// reading one leaves the string's state as it was but for its length. So the mask takes
// them from a table (by their length in code points) and walks a second trie of only the
// other tokens; Gemma 3 has 262144 tokens, and the string's state would otherwise be
// copied for most of its 588 thousand trie nodes at every step (the other trie has 2288).
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "structured/byte_trie.h"

namespace lmc::structured {

// Tokens by the trie node where their bytes end.
struct TokenTrie {
  ByteTrie trie;
  std::vector<uint32_t> first;  // tokens of node n: ids[first[n], first[n + 1])
  std::vector<int32_t> ids;

  void build(const std::vector<std::string_view>& texts, const std::vector<int32_t>& ids_of_texts);
  std::span<const int32_t> tokens(uint32_t node) const {
    return {ids.data() + first[node], first[node + 1] - first[node]};
  }
};

class TokenVocabulary {
 public:
  static constexpr uint8_t kNotPlain = 0xFF;

  // texts[id]: the bytes token id writes; empty for a token that is never text (a control
  // token, an unused one). eog: the tokens that end a generation.
  TokenVocabulary(const std::vector<std::string>& texts, std::vector<int32_t> eog);

  size_t size() const { return offsets_.size() - 1; }
  std::string_view text(int32_t id) const {
    return std::string_view(blob_).substr(offsets_[id], offsets_[id + 1] - offsets_[id]);
  }
  const std::vector<int32_t>& eog() const { return eog_; }
  bool is_eog(int32_t id) const;
  size_t longest() const { return longest_; }        // bytes of the longest token
  const TokenTrie& all() const { return all_; }      // every text token
  const TokenTrie& other() const { return other_; }  // the text tokens that are not plain
  // Code points of a plain token, kNotPlain for the others.
  uint8_t plain_chars(int32_t id) const { return plain_chars_[id]; }
  uint8_t most_plain_chars() const { return most_plain_chars_; }
  // One bit per id: the plain tokens.
  const std::vector<uint64_t>& plain() const { return plain_; }

 private:
  std::string blob_;
  std::vector<uint32_t> offsets_;
  std::vector<int32_t> eog_;
  size_t longest_ = 0;
  TokenTrie all_, other_;
  std::vector<uint8_t> plain_chars_;
  uint8_t most_plain_chars_ = 0;
  std::vector<uint64_t> plain_;
};

}  // namespace lmc::structured
