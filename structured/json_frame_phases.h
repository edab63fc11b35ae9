// The phases of json_frame.cpp's automata and what a bounded number's frame holds: shared
// by the steps that read bytes (json_frame.cpp) and the lengths still to come
// (json_frame_rest.cpp). Internal to the matcher.
#pragma once
#include <cstdint>

#include "structured/json_frame.h"

namespace lmc::structured::frame {

// Objects and maps share their phases; arrays use the first ones and their own.
enum ContainerPhase : uint8_t { kStart, kOpen, kKey, kColon, kValue, kValueSpaced, kAfter, kComma, kCommaSpaced };
enum StringPhase : uint8_t { kQuote, kText, kUtf8, kEscape, kHex };
enum NumberPhase : uint8_t { kSign, kMinus, kZero, kInt, kDot, kFrac, kExp, kExpSign, kExpDigits };

constexpr uint8_t kMaxDigits = 15, kMaxExponentDigits = 2;

inline uint32_t less(uint32_t a, uint32_t b) { return a > b ? a - b : 0; }

// A bounded number's integer part, as far as it is read: its magnitude in at (low 32 bits)
// and trie (high), its sign in flags.
inline int64_t magnitude(const Frame& f) { return static_cast<int64_t>(f.trie) << 32 | f.at; }
inline bool minus(const Frame& f) { return f.flags != 0; }
inline int64_t signed_value(const Frame& f) { return minus(f) ? -magnitude(f) : magnitude(f); }
inline int digits_of(int64_t m) {
  int d = 1;
  for (; m >= 10; m /= 10) ++d;
  return d;
}

}  // namespace lmc::structured::frame
