// What `lmc bench` measures on an opened model: decode and prefill speed at a thread
// count, medians of repeated runs after a warm-up run, on random token ids.
#pragma once
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "driver/open_model.h"
#include "ir/graph.h"

namespace lmc::driver {

// One figure's measured runs (tokens/s of each), after the warm-up run.
struct Samples {
  std::vector<double> values;
  double median() const;
  double mean() const;
  double stddev() const;  // sample standard deviation; 0 for one run
};

// What `lmc bench` measures at one thread count, as llama-bench names its tests: every
// test starts after `depth` tokens in the KV cache (its "@ dN").
struct SpeedTests {
  int64_t depth = 0;
  int64_t decode_tokens = 32;         // tgN; 0 skips it
  std::vector<int64_t> prefill;       // ppN each
  std::vector<std::pair<int64_t, int64_t>> pg;  // ppN+tgM each: a prompt, then decode steps
};

struct SpeedResult {
  int threads;
  int64_t depth;
  double bandwidth;  // filled in by the caller: the probe runs after the model is measured
  std::optional<Samples> decode_tps;
  double decode_step_ms_median = 0, decode_step_ms_max = 0;
  std::vector<std::pair<int64_t, Samples>> prefill_tps;  // prompt length -> tokens/s
  std::vector<Samples> pg_tps;  // per `pg` test: (prompt + generated tokens) / the time of both
  double ttft_ms = 0;             // time to first token of the first prefill length
};

SpeedResult measure_speed(const LoadedModel& m, int threads, int runs, const SpeedTests& tests);

// Batched decode: `streams` sequences, each after an 8-token prompt, decoding together
// (one row of each per step, as lmc serve --parallel runs them).
struct ParallelResult {
  int threads;
  int64_t streams;
  Samples decode_tps;     // all streams together
  double step_ms_median;  // each stream's time per token
};

ParallelResult measure_parallel(const LoadedModel& m, int threads, int runs, int64_t decode_tokens, int64_t streams);

// Speculative decoding (prompt lookup, `draft` tokens a step) against plain greedy
// decoding on a fixed set of repetitive prompts (code, a list, JSON records, a repeated
// sentence): decode tokens/s of each over the whole set per run.
struct SpecResult {
  int threads;
  int64_t draft;
  Samples plain_tps, spec_tps;
  bool same_text;          // every prompt's tokens equal
  int64_t drafted, accepted;  // over the set, in a run
};

SpecResult measure_spec(const LoadedModel& m, int threads, int runs, int64_t decode_tokens, int64_t draft);

// The model's parameters: the elements of every weight the kernels read.
int64_t parameter_count(const ir::Graph& g);

// Bytes a decode step reads from weights: every param a kernel reads, an embedding
// table only one row of.
double decode_weight_bytes(const ir::Graph& g);

}  // namespace lmc::driver
