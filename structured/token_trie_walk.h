// The walk every token mask makes over a vocabulary's trie (token_vocabulary.h): depth
// first, with one matcher state per depth, each its parent's advanced by the node's byte,
// so a prefix shared by many tokens is read once and a byte the matcher refuses cuts off
// its whole subtree. Shared by the JSON mask (token_mask.h) and the GBNF constraint
// (gbnf_token_constraint.h), whose matchers differ but walk alike.
#pragma once
#include <cstdint>
#include <vector>

#include "structured/token_vocabulary.h"

namespace lmc::structured {

// advance(const State& from, uint8_t byte, State& to) -> bool: whether the matcher takes
// the byte. reached(uint32_t node, const State& after) is called for every node whose
// bytes are all taken. states[0] is the state before any byte; states must have room for
// the deepest node (the vocabulary's longest token, plus one).
template <class State, class Advance, class Reached>
void walk_token_trie(const TokenTrie& t, std::vector<State>& states, Advance& advance, Reached& reached,
                     uint32_t node = 0, size_t depth = 0) {
  const ByteTrie& trie = t.trie;
  for (uint32_t c = node + 1; c < trie.end(node); c = trie.end(c)) {
    State& next = states[depth + 1];
    if (!advance(states[depth], trie.byte(c), next)) continue;
    reached(c, next);
    walk_token_trie(t, states, advance, reached, c, depth + 1);
  }
}

// Allowed tokens as one bit per id.
inline void allow_token(std::vector<uint64_t>& bits, int32_t id) {
  bits[static_cast<size_t>(id) / 64] |= uint64_t{1} << (id % 64);
}

}  // namespace lmc::structured
