// lmc bench: decode and prefill speed of a model on this machine, medians of repeated
// runs after warm-up, next to the memory-read bandwidth measured in the same process
// and the decode roofline it implies (weight bytes read per token / bandwidth).
#include <sys/resource.h>

#include <cstdio>
#include <iostream>
#include <sstream>

#include "driver/bandwidth_probe.h"
#include "driver/benchmark.h"
#include "tools/lmc/bench_report.h"
#include "tools/lmc/artifact_flags.h"
#include "tools/lmc/cache_flags.h"
#include "tools/lmc/jit_flags.h"
#include "tools/lmc/llama_flags.h"
#include "tools/lmc/commands.h"
#include "tools/lmc/model_flags.h"
#include "tools/lmc/pass_flags.h"
#include "tools/lmc/run_flags.h"

namespace lmc::tools {

namespace {

std::vector<FlagSpec> specs() {
  auto s = compile_flag_specs();
  for (auto& f : artifact_flag_specs()) s.push_back(f);
  for (auto& f : cache_flag_specs()) s.push_back(f);
  for (auto& f : jit_flag_specs()) s.push_back(f);
  s.push_back({"model", true, "the model (instead of the positional MODEL)", "MODEL", false, "m"});
  s.push_back({"threads", true, "comma-separated thread counts to measure (default 1,2)", "LIST", false, "t"});
  s.push_back({"ctx-size", true, "positions the KV cache holds (default: the model's context)", "N", false, "c"});
  s.push_back({"runs", true, "measured repetitions per figure (default 5)", "N", false, "r"});
  s.push_back({"decode-tokens", true, "decode steps per run (default 32)", "N", false, "n"});
  s.push_back({"depth", true, "tokens in the KV cache before the decode steps (default 8): decode at a long "
               "context", "N", false, "d"});
  s.push_back({"prefill", true, "comma-separated prompt lengths to measure (default 64,512)", "LIST", false, "p"});
  s.push_back({"parallel", true, "measure batched decode instead: comma-separated numbers of streams decoding "
               "together (as lmc serve --parallel)", "LIST"});
  s.push_back({"output", true, "table (default), or as llama-bench: md, csv, json, jsonl (one record per figure: "
               "mean ± stddev, median, samples)", "FORMAT", false, "o"});
  s.push_back({"spec", true, "measure speculative decoding instead: prompt lookup drafting N tokens a step "
               "(default 3) against plain greedy decoding on a fixed repetitive prompt set", "N", true});
  s.push_back({"json", false, "the same as -o json"});
  for (auto& f : llama_flag_specs()) s.push_back(f);
  s.push_back({"help", false, "show this help", "", false, "h"});
  return s;
}

std::vector<int64_t> int_list(const std::string& s, const char* flag) {
  std::vector<int64_t> out;
  std::stringstream ss(s);
  for (std::string item; std::getline(ss, item, ',');) {
    try {
      size_t used = 0;
      out.push_back(std::stoll(item, &used));
      if (used != item.size() || out.back() <= 0) throw std::invalid_argument(item);
    } catch (const std::exception&) {
      throw UsageError(std::string("--") + flag + " expects positive integers separated by commas");
    }
  }
  return out;
}


}  // namespace

int cmd_bench(int argc, char** argv) {
  load_pass_plugins(argc, argv);
  std::optional<Args> parsed = command_args(specs(), argc, argv,
      "usage: lmc bench MODEL.lmc|MODEL.yaml|MODEL.gguf|HF_FOLDER [options]\n\n"
      "Measures decode tokens/s, prefill tokens/s and time to first token per thread count\n"
      "(medians of --runs after a warm-up run), the memory-read bandwidth in the same\n"
      "process, the decode roofline fraction, and peak RSS.\n\noptions:\n");
  if (!parsed) return 0;  // --help
  const Args& a = *parsed;
  const std::string model = model_argument(a, "lmc bench");
  auto threads = int_list(a.get_or("threads", "1,2"), "threads");
  auto prefill = int_list(a.get_or("prefill", "64,512"), "prefill");
  int runs = static_cast<int>(a.get_int("runs", 5, 1, 1000));
  int64_t decode_tokens = a.get_int("decode-tokens", 32, 1, 100000);
  int64_t depth = a.get_int("depth", driver::kDefaultDecodeDepth, 1, 100000000);
  if (a.has("json") && a.has("output")) throw UsageError("give -o or --json, not both");
  const std::string format = a.has("json") ? "json" : a.get_or("output", "table");
  check_bench_format(format);

  driver::LoadedModel m = open_model(model, a);
  if (decode_tokens + depth > m.info.context) throw UsageError("--depth and --decode-tokens do not fit the context");
  BenchReport report{m, driver::decode_weight_bytes(*m.graph), 0, decode_tokens, depth, {}, {}, {}};
  if (a.has("spec") && a.has("parallel")) throw UsageError("give --spec or --parallel, not both");
  if (a.has("spec")) {
    int64_t draft = a.get("spec")->empty() ? 3 : a.get_int("spec", 3, 1, 7);
    for (int64_t t : threads)
      report.spec.push_back(driver::measure_spec(m, static_cast<int>(t), runs, decode_tokens, draft));
  } else if (auto list = a.get("parallel")) {
    std::vector<int64_t> streams = int_list(*list, "parallel");
    for (int64_t n : streams) check_parallel(n, m.info);
    for (int64_t t : threads)
      for (int64_t n : streams)
        report.parallel.push_back(driver::measure_parallel(m, static_cast<int>(t), runs, decode_tokens, n));
  } else {
    for (int64_t t : threads)
      report.speed.push_back(driver::measure_speed(m, static_cast<int>(t), runs, decode_tokens, depth, prefill));
  }
  // Peak RSS is the model's: the bandwidth probe's buffer comes after it is read.
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  report.peak_rss_kb = ru.ru_maxrss;
  for (auto& r : report.speed) r.bandwidth = driver::measure_read_bandwidth(r.threads);
  print_bench(report, format);
  return 0;
}

}  // namespace lmc::tools
