#include "driver/interleaved_runs.h"

#include <algorithm>
#include <memory>
#include <random>
#include <vector>

#include "runtime/executor.h"

namespace lmc::driver {

namespace {

void append(Samples& into, const Samples& run) {
  into.values.insert(into.values.end(), run.values.begin(), run.values.end());
}

// `run`'s samples added to `into`'s, figure by figure (the tests are the same each turn).
void append(SpeedResult& into, const SpeedResult& run) {
  if (run.decode_tps) {
    if (!into.decode_tps) into.decode_tps.emplace();
    append(*into.decode_tps, *run.decode_tps);
  }
  into.prefill_tps.resize(run.prefill_tps.size());
  for (size_t i = 0; i < run.prefill_tps.size(); ++i) {
    into.prefill_tps[i].first = run.prefill_tps[i].first;
    append(into.prefill_tps[i].second, run.prefill_tps[i].second);
  }
  into.pg_tps.resize(run.pg_tps.size());
  for (size_t i = 0; i < run.pg_tps.size(); ++i) append(into.pg_tps[i], run.pg_tps[i]);
}

std::unique_ptr<runtime::Executor> profiled_executor(const LoadedModel& m, int threads) {
  runtime::ExecutorOptions eo;
  eo.threads = threads;
  eo.collectives = m.collectives;
  eo.profile = true;
  return std::make_unique<runtime::Executor>(*m.graph, m.kernels, *m.weights, m.info, eo);
}

// One run: the prompt in steps of at most step_tokens rows, then the decode steps.
void profiled_run(runtime::Executor& ex, const std::vector<int32_t>& prompt, int64_t decode_tokens) {
  ex.reset();
  const auto n = static_cast<int64_t>(prompt.size());
  const int64_t step = ex.info().step_tokens;
  for (int64_t at = 0; at < n; at += step) ex.step(prompt.data() + at, std::min(step, n - at), at, 1);
  for (int64_t i = 0; i < decode_tokens; ++i) ex.step(&prompt[static_cast<size_t>(i) % prompt.size()], 1, n + i, 1);
}

}  // namespace

InterleavedSpeed measure_interleaved(const LoadedModel& a, const LoadedModel& b, int threads, int runs,
                                     const SpeedTests& tests) {
  InterleavedSpeed r;
  r.a.threads = r.b.threads = threads;
  r.a.depth = r.b.depth = tests.depth;
  for (int run = 0; run < runs; ++run) {
    append(r.a, measure_speed(a, threads, 1, tests));
    append(r.b, measure_speed(b, threads, 1, tests));
  }
  return r;
}

InterleavedProfile profile_interleaved(const LoadedModel& a, const LoadedModel& b, int threads, int runs,
                                       int64_t prompt_tokens, int64_t decode_tokens) {
  auto ea = profiled_executor(a, threads), eb = profiled_executor(b, threads);
  std::mt19937 rng(1234);
  std::uniform_int_distribution<int32_t> tok(0, static_cast<int32_t>(std::min(ea->vocab(), eb->vocab()) - 1));
  std::vector<int32_t> prompt(static_cast<size_t>(std::max<int64_t>(prompt_tokens, 1)));
  for (auto& t : prompt) t = tok(rng);
  // A warm-up run of each, then the measured ones.
  profiled_run(*ea, prompt, decode_tokens);
  profiled_run(*eb, prompt, decode_tokens);
  InterleavedProfile out;
  auto measured = [&](runtime::Executor& ex, std::vector<runtime::Profiler>& into) {
    ex.profiler()->clear();
    profiled_run(ex, prompt, decode_tokens);
    into.push_back(*ex.profiler());
  };
  for (int run = 0; run < runs; ++run) {
    measured(*ea, out.a);
    measured(*eb, out.b);
  }
  return out;
}

}  // namespace lmc::driver
