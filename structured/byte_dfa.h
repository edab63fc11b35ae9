// A regular expression (regex_syntax.h) compiled to a deterministic automaton, one state a
// byte: how a string's text is held to a grammar (a format, string_formats.h; a schema's
// `pattern`, schema_compiler.h) while the matcher reads it byte by byte.
//
// Its bytes are the text bytes: printable ASCII but '"' and '\'. A string's JSON text made of
// them needs no escape, so the bytes the automaton reads are the string's value itself, and
// a character the expression allows beyond them (a control, a quote, a backslash, non-ASCII)
// is one it never writes: the automaton matches the expression's texts over the text bytes.
//
// The automaton is built by subset construction from Thompson's NFA, then trimmed: a byte
// that leads where no match can end is refused, so every state it keeps can still finish,
// and each knows the fewest bytes to an end (the matcher's distance).
#pragma once
#include <cstdint>
#include <string_view>
#include <vector>

namespace lmc::structured {

class ByteDfa {
 public:
  static constexpr int32_t kRefused = -1;
  static constexpr uint32_t kUnbounded = UINT32_MAX;
  enum class Match { Whole, Anywhere };  // Anywhere: JSON schema's `pattern`, found anywhere

  static constexpr size_t kMaxStates = 4096;
  static constexpr size_t kMaxWork = 4'000'000;  // steps of the construction (about 0.1 s)

  // Throws std::invalid_argument outside the subset, or for an expression that matches no
  // text or needs more than kMaxStates states, or more steps to find them than kMaxWork or,
  // given, `work_left` (an allowance several automata share, what they use taken from it).
  explicit ByteDfa(std::string_view regex, Match match = Match::Whole, size_t* work_left = nullptr);
  // The texts both match; the texts of lo..hi bytes (hi kUnbounded: no limit). Both throw
  // std::invalid_argument when there is none or they need too many states.
  static ByteDfa both(const ByteDfa& a, const ByteDfa& b);
  static ByteDfa of_length(uint32_t lo, uint32_t hi);

  int32_t start() const { return 0; }
  int32_t next(int32_t state, uint8_t b) const { return b < 128 ? next_[state * 128 + b] : kRefused; }
  bool accepting(int32_t state) const { return to_end_[state] == 0; }
  uint32_t to_end(int32_t state) const { return to_end_[state]; }  // the fewest bytes to a match
  uint32_t shortest() const { return to_end_[0]; }
  uint32_t longest() const { return longest_; }  // kUnbounded when a loop can repeat
  size_t states() const { return to_end_.size(); }
  bool matches(std::string_view text) const;

 private:
  ByteDfa() = default;
  bool trim(const std::vector<bool>& accepting);
  uint32_t longest_from(int32_t state, std::vector<uint8_t>& mark, std::vector<uint32_t>& memo) const;

  std::vector<int32_t> next_;  // state * 128 + byte
  std::vector<uint32_t> to_end_;
  uint32_t longest_ = 0;
};

}  // namespace lmc::structured
