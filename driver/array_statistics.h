// The numbers lmc exec prints about its results: a summary of one, and how far one
// pipeline's result is from another's. The relative error is the largest absolute
// difference over the reference's largest magnitude, not a largest per-element ratio:
// random inputs always put some values near zero, where any rounding is a large ratio.
#pragma once
#include <cstdint>

#include "driver/host_array.h"

namespace lmc::driver {

struct ArraySummary {
  double min = 0, max = 0, mean = 0, rms = 0;  // over the finite values
  int64_t nonfinite = 0;                       // NaN and infinities
};

ArraySummary summarize(const HostArray& a);

struct ArrayDifference {
  double max_abs = 0;  // max |a - reference|
  double max_rel = 0;  // max_abs / max |reference| (0 when both are all zeros)
  double cosine = 1;   // of the two as vectors (1 when both are all zeros)
};

// `a` against `reference`, of the same shape and dtype. A NaN or infinity in either makes
// every number NaN: such results are never close.
ArrayDifference difference(const HostArray& a, const HostArray& reference);

// Equal, or max_rel and 1 - cosine both at most `tolerance`.
bool within(const ArrayDifference& d, double tolerance);

}  // namespace lmc::driver
