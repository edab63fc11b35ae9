// What lmc bench prints: its own table (bandwidth, roofline, step times), or, in
// llama-bench's formats (-o md|csv|json|jsonl: llama_bench_record.h), one record per figure
// (with -o lmc-json, beside lmc's machine figures) — a test named
// as llama-bench names them (tg32: 32 decode steps, pp512: a 512-token prompt; with
// --parallel, tg32 of N streams; with --spec, "tg32 set" plain and "tg32 set draft3"
// speculative over the repetitive prompt set) with the runs' mean ± standard deviation beside
// their median and every sample.
#pragma once
#include <string>
#include <vector>

#include "driver/benchmark.h"
#include "tools/lmc/llama_bench_record.h"

namespace lmc::tools {

struct BenchReport {
  const driver::LoadedModel& model;
  double decode_bytes_per_token;
  long peak_rss_kb;
  int64_t parameters;
  int64_t decode_tokens;
  std::vector<std::pair<int64_t, int64_t>> pg;  // -pg PP,TG each
  std::vector<driver::SpeedResult> speed;        // without --parallel
  std::vector<driver::ParallelResult> parallel;  // with it
  std::vector<driver::SpecResult> spec;          // with --spec
  std::string path;                              // the model as given
  std::string started;                           // when the bench began (bench_start_time)
};

// llama-bench's name of a test of `prompt` prompt tokens then `gen` decode steps: "pp512",
// "tg32", "pp512+tg128".
std::string speed_test_name(int64_t prompt, int64_t gen);

// Throws UsageError unless `format` is "table" (lmc's own), "md", "csv", "json", "jsonl" or
// "lmc-json".
void check_bench_format(const std::string& format);
void print_bench(const BenchReport& r, const std::string& format);

}  // namespace lmc::tools
