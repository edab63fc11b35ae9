#include "structured/number_bounds.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace lmc::structured {

namespace {

constexpr int kMaxDigits = 15;

int64_t power10(int k) {
  int64_t p = 1;
  while (k-- > 0) p *= 10;
  return p;
}

// A double bound as a whole number within the matcher's reach (kMost and one past it).
int64_t clamped(double v) {
  constexpr double most = static_cast<double>(NumberBounds::kMost) + 1;
  return static_cast<int64_t>(std::clamp(v, -most, most));
}

double number_of(const nlohmann::ordered_json& schema, const char* keyword) {
  const auto& v = schema[keyword];
  if (!v.is_number()) throw BoundError(keyword, std::string("'") + keyword + "' must be a number");
  return v.get<double>();
}

// One side of the bounds: its inclusive keyword and its exclusive one (a number, or draft
// 4's true making the inclusive one exclusive). `sign` is 1 for the lower side, -1 for the
// upper, so that the tighter bound is the greater one times sign.
void side(const nlohmann::ordered_json& s, const char* inclusive, const char* exclusive, int sign, double& at,
          bool& open) {
  at = -sign * std::numeric_limits<double>::infinity();
  open = false;
  if (s.contains(inclusive)) at = number_of(s, inclusive);
  if (!s.contains(exclusive)) return;
  if (s[exclusive].is_boolean()) {
    open = s[exclusive].get<bool>() && s.contains(inclusive);
    return;
  }
  const double e = number_of(s, exclusive);
  if (sign * e >= sign * at) {
    at = e;
    open = true;
  }
}

}  // namespace

bool NumberBounds::admits(int64_t v) const { return v >= lo && v <= hi && v % step == 0; }

bool NumberBounds::meets(int64_t a, int64_t b) const {
  a = std::max(a, lo);
  b = std::min(b, hi);
  if (a > b) return false;
  const int64_t r = (a % step + step) % step;
  return (r == 0 ? a : a + (step - r)) <= b;
}

bool NumberBounds::fraction(int64_t magnitude, bool minus) const {
  if (step != 1) return false;
  return minus ? admits(-magnitude) && -(magnitude + 1) >= lo_edge : admits(magnitude) && magnitude + 1 <= hi_edge;
}

int NumberBounds::more_digits(int64_t magnitude, int digits, bool minus) const {
  for (int k = digits == 0 ? 1 : 0; digits + k <= kMaxDigits; ++k) {
    if (magnitude == 0 && digits > 0 && k > 0) break;  // "0" takes no more digits
    const int64_t a = digits == 0 && k == 1 ? 0 : (digits == 0 ? power10(k - 1) : magnitude * power10(k));
    const int64_t b = digits == 0 ? power10(k) - 1 : a + power10(k) - 1;
    if (minus ? meets(-b, -a) : meets(a, b)) return k;
  }
  return -1;
}

uint32_t NumberBounds::shortest_text() const {
  const int plus = more_digits(0, 0, false), minus = more_digits(0, 0, true);
  uint32_t best = UINT32_MAX;
  if (plus > 0) best = static_cast<uint32_t>(plus);
  if (minus > 0) best = std::min(best, static_cast<uint32_t>(minus + 1));
  return best;
}

NumberBounds number_bounds(const nlohmann::ordered_json& s, bool& fractional_step) {
  double lo = 0, hi = 0;
  bool lo_open = false, hi_open = false;
  side(s, "minimum", "exclusiveMinimum", 1, lo, lo_open);
  side(s, "maximum", "exclusiveMaximum", -1, hi, hi_open);
  NumberBounds b;
  b.lo = std::max(-NumberBounds::kMost, clamped(lo_open ? std::floor(lo) + 1 : std::ceil(lo)));
  b.hi = std::min(NumberBounds::kMost, clamped(hi_open ? std::ceil(hi) - 1 : std::floor(hi)));
  b.lo_edge = std::max(-NumberBounds::kMost, clamped(std::ceil(lo)));
  b.hi_edge = std::min(NumberBounds::kMost, clamped(std::floor(hi)));
  fractional_step = false;
  if (s.contains("multipleOf")) {
    const double m = number_of(s, "multipleOf");
    if (!(m > 0)) throw BoundError("multipleOf", "'multipleOf' must be above 0");
    if (m != std::floor(m))
      fractional_step = true;
    else  // a step past every 15-digit number leaves 0 alone
      b.step = static_cast<int64_t>(std::min(m, 1e16));
  }
  return b;
}

}  // namespace lmc::structured
