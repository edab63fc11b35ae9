// Which tokens of a vocabulary may come next: those all of whose bytes the matcher
// (json_matcher.h) can read from the current state, found by walking the vocabulary's
// trie (token_trie_walk.h). Inside a string's text the plain tokens come from a table instead
// (token_vocabulary.h). End-of-generation tokens are allowed once the value is whole.
//
// The token budget closes the structure in time: with `budget` tokens left (this one
// included), a token is allowed only if the tokens its state still needs (token_distance.h:
// its shortest completion in this vocabulary's tokens) fit in the tokens after it. So the
// answer writes what it likes while the budget allows and starts closing the moment the
// tokens left equal what the rest needs. Every byte is a token of the vocabularies lmc
// runs, so a state whose bytes fit needs no count. When no token fits (a budget below the
// shortest answer), the budget is set aside and the answer may end unfinished at its
// length limit.
#pragma once
#include <cstdint>
#include <limits>
#include <vector>

#include "structured/json_matcher.h"
#include "structured/token_distance.h"
#include "structured/token_vocabulary.h"

namespace lmc::structured {

class TokenMasker {
 public:
  static constexpr int64_t kNoBudget = std::numeric_limits<int64_t>::max();

  TokenMasker(Matcher& matcher, const TokenVocabulary& vocab);
  // One bit per id of the vocabulary: set when the token may come next.
  void allowed(const State& s, int64_t budget, std::vector<uint64_t>& bits);

 private:
  void collect(const State& s, std::vector<uint64_t>& bits);
  void plain_text(const State& s, const Frame& text, std::vector<uint64_t>& bits);
  void walk(const TokenTrie& t, std::vector<uint64_t>& bits);
  bool fits(const State& after);
  int64_t plain_need(const State& s, uint8_t chars, int64_t short_of_min);

  Matcher& matcher_;
  const TokenVocabulary& vocab_;
  TokenDistance distance_;
  std::vector<State> states_;  // by depth in the trie: the state after the node's bytes
  size_t longest_;             // bytes of the longest token: a token count is at least bytes / longest_
  int64_t limit_ = kNoBudget;  // the most tokens a token may leave to complete the value
  std::vector<int64_t> plain_need_;  // per count of characters: the tokens after a plain token of them
  std::vector<Frame> stack_;
};

}  // namespace lmc::structured
