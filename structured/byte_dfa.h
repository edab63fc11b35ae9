// A regular expression over ASCII compiled to a deterministic automaton, one state a byte:
// how a string's text is held to a fixed grammar (string_formats.h: a date, a UUID, ...)
// while the matcher reads it byte by byte. The expression matches the whole text. Its
// syntax is a small subset, enough for lmc's own expressions: characters (`\` quotes one),
// `\d`, classes `[a-z0-9_]`, groups, `|`, and `?`, `*`, `+`, `{n}`, `{n,m}`.
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

  // Throws std::invalid_argument outside the subset, or for an expression that matches
  // nothing or needs more than kMaxStates states.
  explicit ByteDfa(std::string_view regex);

  int32_t start() const { return 0; }
  int32_t next(int32_t state, uint8_t b) const { return b < 128 ? next_[state * 128 + b] : kRefused; }
  bool accepting(int32_t state) const { return to_end_[state] == 0; }
  uint32_t to_end(int32_t state) const { return to_end_[state]; }  // the fewest bytes to a match
  uint32_t shortest() const { return to_end_[0]; }
  uint32_t longest() const { return longest_; }  // kUnbounded when a loop can repeat
  bool matches(std::string_view text) const;

 private:
  static constexpr size_t kMaxStates = 4096;
  void trim(const std::vector<bool>& accepting);
  uint32_t longest_from(int32_t state, std::vector<uint8_t>& mark, std::vector<uint32_t>& memo) const;

  std::vector<int32_t> next_;    // state * 128 + byte
  std::vector<uint32_t> to_end_;
  uint32_t longest_ = 0;
};

}  // namespace lmc::structured
