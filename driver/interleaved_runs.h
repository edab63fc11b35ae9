// Two compiles of one model measured turn about, A B A B (lmc bench --vs-pipeline): on a
// noisy machine a drift (another build starting, the CPU's clock) then falls on both
// alike rather than on whichever ran second. Each turn is one measured run after its own
// warm-up (measure_speed with one run), so neither pipeline runs on the other's warm caches.
#pragma once
#include <cstdint>
#include <vector>

#include "driver/benchmark.h"
#include "driver/open_model.h"
#include "runtime/profiler.h"

namespace lmc::driver {

struct InterleavedSpeed {
  SpeedResult a, b;  // every turn's figure of each, `runs` samples a figure
};

InterleavedSpeed measure_interleaved(const LoadedModel& a, const LoadedModel& b, int threads, int runs,
                                     const SpeedTests& tests);

// Each kernel's time, from `runs` profiled runs of each model (turn about): a prompt of
// `prompt_tokens` rows, then `decode_tokens` single-token steps. Apart from the timed runs:
// the profiler's clock reads slow every kernel a little. One profile a run, so that each
// kernel's time has a spread over the runs and a rank test (driver/report/rank_test.h).
struct InterleavedProfile {
  std::vector<runtime::Profiler> a, b;
};

InterleavedProfile profile_interleaved(const LoadedModel& a, const LoadedModel& b, int threads, int runs,
                                       int64_t prompt_tokens, int64_t decode_tokens);

}  // namespace lmc::driver
