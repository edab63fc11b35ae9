// Matches text against a GBNF grammar (gbnf_grammar.h) one byte at a time: a pushdown
// automaton whose stack holds places in the grammar's elements. The top of a stack is
// the character class that must read the next character; below it, where each rule
// entered goes on once that rule's alternative is done (a place at the end of an
// alternative is never pushed, so a rule called last does not grow the stack). A rule
// reached at the top is expanded into one stack per alternative, so the state is a set
// of stacks read side by side; an empty stack means the root is matched.
//
// Bytes of one UTF-8 character are read one by one: until the last, a stack stays if its
// class takes some character beginning with those bytes, so a token mask (gbnf_mask.h)
// cuts a refused subtree early. The sets are bounded: past kMaxStacks stacks, a stack
// deeper than kMaxDepth, or kMaxExpansions expansions in one byte, what is left out is
// dropped, so an ambiguous grammar may be refused a text it allows, never allowed one it
// refuses.
#pragma once
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "structured/gbnf_grammar.h"

namespace lmc::structured {

class GbnfState {
 public:
  size_t stacks() const { return ends_.size(); }
  std::span<const uint32_t> stack(size_t i) const {
    const uint32_t begin = i ? ends_[i - 1] : 0;
    return {places_.data() + begin, ends_[i] - begin};
  }
  // The code point begun, the bytes it still needs (0: between characters) and its length.
  uint32_t partial = 0;
  uint8_t needed = 0, length = 0;

  void clear() {
    places_.clear();
    ends_.clear();
    partial = needed = length = 0;
  }
  // Adds a stack unless the state has it already; false when the state is full.
  bool add(std::span<const uint32_t> stack, size_t limit);

 private:
  std::vector<uint32_t> places_;
  std::vector<uint32_t> ends_;  // stack i is places_[ends_[i - 1], ends_[i])
};

class GbnfMatcher {
 public:
  static constexpr size_t kMaxStacks = 64, kMaxDepth = 256, kMaxExpansions = 1 << 14;

  explicit GbnfMatcher(const GbnfGrammar& g) : g_(g) {}

  const GbnfGrammar& grammar() const { return g_; }
  GbnfState start();  // nothing read yet
  // `to` becomes `from` after the byte; false when no stack can take it.
  bool advance(const GbnfState& from, uint8_t b, GbnfState& to);
  // Reads the bytes into s; false (s then undefined) when one is refused.
  bool feed(GbnfState& s, std::string_view bytes);
  // The root is matched (more may follow).
  bool accepting(const GbnfState& s) const;
  // The root is matched and nothing may follow.
  bool complete(const GbnfState& s) const;

 private:
  void expand(GbnfState& out);
  void take(uint32_t c, const GbnfState& from, GbnfState& to);

  const GbnfGrammar& g_;
  std::vector<uint32_t> stack_;  // the stack being expanded
  size_t budget_ = 0;            // expansions left for this byte
};

}  // namespace lmc::structured
