// Matches JSON text against a grammar (json_grammar.h) one byte at a time: a pushdown
// automaton whose stack holds a frame (json_frame.h) per nested value. Where an anyOf's
// alternatives begin alike (two objects, a string enum beside a string) the bytes may be
// read more than one way, so a State is a small set of stacks, each one reading; a stack
// that cannot take a byte drops out, and the text is refused when none is left.
//
// States are plain vectors of 16-byte frames so that the token mask (token_mask.h) can
// copy one for every node of the vocabulary's trie it visits without allocating.
#pragma once
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "structured/json_frame.h"
#include "structured/json_grammar.h"

namespace lmc::structured {

class State {
 public:
  size_t stacks() const { return ends_.size(); }
  std::span<const Frame> stack(size_t i) const {
    const uint32_t begin = i ? ends_[i - 1] : 0;
    return {frames_.data() + begin, ends_[i] - begin};
  }
  void clear() {
    frames_.clear();
    ends_.clear();
  }
  // Adds a stack unless the state has it already.
  void add(std::span<const Frame> stack);

 private:
  std::vector<Frame> frames_;
  std::vector<uint32_t> ends_;  // stack i is frames_[ends_[i - 1], ends_[i])
};

class Matcher {
 public:
  // Past these, a stack is dropped: the answer may be refused an ambiguity it could have
  // had, never given one the grammar does not allow. (Nesting is bounded by kMaxFrames,
  // json_grammar.h, before a value is begun.)
  static constexpr size_t kMaxStacks = 32, kMaxUnionNesting = 8;

  explicit Matcher(const Grammar& g);
  Matcher(const Matcher&) = delete;
  Matcher& operator=(const Matcher&) = delete;

  const Grammar& grammar() const { return g_; }
  State start() const;  // nothing read yet
  // `to` becomes `from` after the byte; false when no stack can take it.
  bool advance(const State& from, uint8_t b, State& to);
  // Reads the bytes into s; false (s then undefined) when one is refused.
  bool feed(State& s, std::string_view bytes);
  // The text is a whole value and nothing may follow it.
  bool complete(const State& s) const;
  // The text is a whole value, though more bytes could extend it (a top-level number).
  bool accepting(const State& s) const;
  // The fewest bytes that make the text a whole value.
  uint32_t distance(const State& s) const;
  // When s is one stack reading a string's text between characters: that frame.
  const Frame* string_text(const State& s) const;

 private:
  void feed_stack(std::vector<Frame>& stack, uint8_t b, State& out, size_t level);

  const Grammar& g_;
  std::vector<std::vector<Frame>> scratch_;  // a stack being read, per union level
  State next_;
};

}  // namespace lmc::structured
