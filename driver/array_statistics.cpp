#include "driver/array_statistics.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace lmc::driver {

namespace {

double value(const HostArray& a, size_t i) {
  return a.dtype == ir::DType::i32 ? static_cast<double>(a.i32[i]) : static_cast<double>(a.f32[i]);
}

}  // namespace

ArraySummary summarize(const HostArray& a) {
  ArraySummary s;
  s.min = std::numeric_limits<double>::infinity();
  s.max = -s.min;
  double sum = 0, squares = 0;
  const auto n = static_cast<size_t>(a.numel());
  for (size_t i = 0; i < n; ++i) {
    const double x = value(a, i);
    if (!std::isfinite(x)) {
      ++s.nonfinite;
      continue;
    }
    s.min = std::min(s.min, x);
    s.max = std::max(s.max, x);
    sum += x;
    squares += x * x;
  }
  const auto finite = static_cast<double>(static_cast<int64_t>(n) - s.nonfinite);
  if (finite == 0) return ArraySummary{0, 0, 0, 0, s.nonfinite};
  s.mean = sum / finite;
  s.rms = std::sqrt(squares / finite);
  return s;
}

ArrayDifference difference(const HostArray& a, const HostArray& reference) {
  double max_abs = 0, max_ref = 0, dot = 0, aa = 0, bb = 0;
  const auto n = static_cast<size_t>(a.numel());
  for (size_t i = 0; i < n; ++i) {
    const double x = value(a, i), y = value(reference, i);
    if (!std::isfinite(x) || !std::isfinite(y)) {
      const double nan = std::numeric_limits<double>::quiet_NaN();
      return {nan, nan, nan};
    }
    max_abs = std::max(max_abs, std::fabs(x - y));
    max_ref = std::max(max_ref, std::fabs(y));
    dot += x * y;
    aa += x * x;
    bb += y * y;
  }
  ArrayDifference d;
  d.max_abs = max_abs;
  d.max_rel = max_abs == 0 ? 0 : max_abs / max_ref;
  if (aa > 0 || bb > 0) d.cosine = aa > 0 && bb > 0 ? dot / (std::sqrt(aa) * std::sqrt(bb)) : 0;
  return d;
}

bool within(const ArrayDifference& d, double tolerance) {
  // Equal arrays agree at tolerance 0, whatever their cosine's own rounding says.
  if (d.max_abs == 0) return true;
  return d.max_rel <= tolerance && 1 - d.cosine <= tolerance;
}

}  // namespace lmc::driver
