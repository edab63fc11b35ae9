// How close two pipelines' results must be to agree (lmc exec --against, lmc bench
// --vs-pipeline). Fusion and weight layouts reorder a few f32 sums (differences near 1e-6
// of a result's scale); a wrong rewrite is off by the result's own scale. Pipelines whose
// weights differ in dtype (q8_0 or a file's blocks against f32, whose kernels also round
// activations to 8 bits) differ by up to ~3e-2, which is then the default.
#pragma once

namespace lmc::driver {

constexpr double kDefaultTolerance = 1e-3;
constexpr double kRoundedWeightsTolerance = 3e-2;

}  // namespace lmc::driver
