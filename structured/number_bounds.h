// The numbers a schema's minimum, maximum, exclusiveMinimum, exclusiveMaximum and an
// integer multipleOf leave, in the form the matcher (json_frame.h) can hold them to as it
// reads a number's digits: whole numbers lo..hi that are multiples of `step`. The frame keeps
// the integer part read so far, so after each digit it asks whether some way to go on still
// ends inside the bounds (meets), and a number ends only where it is inside (admits).
//
// A fraction is written only where every value it can reach is inside: after an integer
// part i whose whole unit, [i, i + 1) or (-(i + 1), -i], lies within the bounds (edges). Its
// digits are capped so that the number has at most 15 significant ones, which parse to
// distinct doubles: a validator's float comparisons then agree with the digits'. Bounds with
// no whole number between them (0.2 to 0.7) cannot be held this way (none()).
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace lmc::structured {

struct NumberBounds {
  static constexpr int64_t kMost = 999'999'999'999'999;  // 15 digits: the matcher's longest integer part

  int64_t lo = -kMost, hi = kMost;            // the whole numbers inside
  int64_t lo_edge = -kMost, hi_edge = kMost;  // the reals inside lie in [lo_edge, hi_edge]
  int64_t step = 1;                           // multipleOf, when a whole number; then no fraction

  bool any() const { return lo == -kMost && hi == kMost && step == 1; }
  bool none() const { return !meets(-kMost, kMost); }
  bool admits(int64_t v) const;
  // Whether a whole number of [a, b] is inside.
  bool meets(int64_t a, int64_t b) const;
  // Whether the integer part `magnitude` (negative when `minus`) may take a fraction.
  bool fraction(int64_t magnitude, bool minus) const;
  // Whether some integer part that begins with `digits` digits making `magnitude` ends inside,
  // and the fewest digits more it needs to (0: it is inside as it stands); -1 when none does.
  int more_digits(int64_t magnitude, int digits, bool minus) const;
  // The fewest bytes of a number inside (its integer text).
  uint32_t shortest_text() const;
};

// A bound keyword whose value is not a number (multipleOf: not above 0).
struct BoundError : std::invalid_argument {
  BoundError(std::string keyword, const std::string& message)
      : std::invalid_argument(message), keyword(std::move(keyword)) {}
  std::string keyword;
};

// The bounds a schema's keywords set, from `schema` (numbers, or draft 4's boolean
// exclusiveMinimum/exclusiveMaximum beside minimum/maximum). Sets `fractional_step` when
// multipleOf is not a whole number, which the bounds cannot hold. Throws BoundError.
NumberBounds number_bounds(const nlohmann::ordered_json& schema, bool& fractional_step);

}  // namespace lmc::structured
