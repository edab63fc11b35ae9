// What lmc bench prints: its own table (bandwidth, roofline, step times), or, in
// llama-bench's formats (-o md|csv|json|jsonl|sql: llama_bench_record.h), one record per figure
// (with -o lmc-json, beside lmc's machine figures) — a test named
// as llama-bench names them (tg32: 32 decode steps, pp512: a 512-token prompt; with
// --parallel, tg32 of N streams; with --spec, "tg32 set" plain and "tg32 set draft3"
// speculative over the repetitive prompt set) with the runs' mean ± standard deviation beside
// their median and every sample.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "driver/benchmark.h"
#include "tools/lmc/llama/llama_bench_record.h"

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

// Prints each model's report as it is measured, in one output for them all (llama-bench's
// -m A -m B): md's and csv's header, sql's CREATE TABLE once, json's one array at the end.
class BenchPrinter {
 public:
  // Throws UsageError unless `format` is "md", "csv", "json", "jsonl", "sql", "table" (lmc's
  // own) or "lmc-json".
  explicit BenchPrinter(std::string format);
  void print(const BenchReport& r);
  void finish();

 private:
  std::string format_;
  int printed_ = 0;
  nlohmann::ordered_json held_ = nlohmann::ordered_json::array();  // json's and lmc-json's, printed by finish()
};

}  // namespace lmc::tools
