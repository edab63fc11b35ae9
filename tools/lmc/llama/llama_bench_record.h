// A figure of lmc bench as llama-bench records it (-o json|jsonl|csv): llama-bench's 42
// fields in its order and types — build, CPU, the model as llama.cpp names it
// (llama_model_type.h), its size and parameters, the run's settings, the test and the
// timings (each run's nanoseconds and tokens per second) — then samples_ns and samples_ts,
// so a script written for llama-bench reads lmc's output unchanged. Settings llama.cpp
// has and lmc does not (GPU layers, split mode, polling) carry the value that says "none
// of that" (0, false, "none"), not llama.cpp's default. lmc's own figures are added
// fields after them.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "driver/benchmark.h"

namespace lmc::tools {

// What llama-bench says of the model, found once per bench.
struct BenchModel {
  std::string filename;  // as given on the command line
  std::string type;      // "llama 1B Q4_K - Medium"
  uint64_t size = 0;     // bytes of the weights (the GGUF's tensors when it is one)
  int64_t params = 0;
  int64_t batch = 0;     // rows a graph run takes: n_batch and n_ubatch
  std::string type_k, type_v;  // the dtypes of the caches of keys and of values
};
BenchModel bench_model(const driver::LoadedModel& m, const std::string& path, int64_t parameters);

// One figure: a test llama-bench names (tg32, pp512, pp512+tg128, "@ dN") and its runs'
// tokens per second, at a thread count and a number of streams decoding at once.
struct BenchFigure {
  int threads;
  int64_t streams;
  std::string test;
  int64_t n_prompt, n_gen, n_depth;
  const driver::Samples* tps;
};

// llama-bench's field names, in its order.
const std::vector<std::string>& llama_bench_fields();
// The figure's record: those fields, then samples_ns and samples_ts. `started`: the bench's
// start as llama-bench writes test_time (ISO 8601, UTC).
nlohmann::ordered_json llama_bench_record(const BenchModel& model, const BenchFigure& x, const std::string& started);
// A record's value as llama-bench's CSV and markdown print it (booleans 0/1, floats %f).
std::string llama_bench_text(const nlohmann::ordered_json& value);

// Now, as test_time.
std::string bench_start_time();

}  // namespace lmc::tools
