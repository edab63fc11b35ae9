// Whether two compiles of one model compute the same thing (lmc bench --vs-pipeline): both
// run the model's first step, a fixed prompt, and every prompt row's logits are compared as
// lmc exec --against compares a graph's results (driver/array_statistics.h), with its
// tolerance (driver/agreement_tolerance.h).
#pragma once
#include <cstdint>
#include <optional>
#include <set>

#include "driver/array_statistics.h"
#include "driver/open_model.h"

namespace lmc::driver {

struct FirstStepAgreement {
  int64_t tokens = 0;                  // the prompt's rows, each row's logits compared
  ArrayDifference difference;          // B's logits against A's
  double tolerance = 0;                // the one applied
  std::set<ir::DType> weights_a, weights_b;  // the dtypes each reads its weights in
  bool agree = false;
};

// `tolerance`: the user's, else exec's default for the weights' dtypes. `tokens`: the
// prompt's length, cut to what one step and the context hold.
FirstStepAgreement compare_first_step(const LoadedModel& a, const LoadedModel& b, int threads, int64_t tokens,
                                      std::optional<double> tolerance);

}  // namespace lmc::driver
