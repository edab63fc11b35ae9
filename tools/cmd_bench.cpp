// lmc bench: decode and prefill speed of a model on this machine, medians of repeated
// runs after warm-up, next to the memory-read bandwidth measured in the same process
// and the decode roofline it implies (weight bytes read per token / bandwidth).
#include <sys/resource.h>

#include <cstdio>
#include <iostream>
#include <sstream>

#include "driver/bandwidth_probe.h"
#include "driver/benchmark.h"
#include "tools/artifact_flags.h"
#include "tools/commands.h"
#include "tools/model_flags.h"
#include "tools/pass_flags.h"
#include "tools/run_flags.h"

namespace lmc::tools {

namespace {

std::vector<FlagSpec> specs() {
  auto s = compile_flag_specs();
  for (auto& f : artifact_flag_specs()) s.push_back(f);
  s.push_back({"model", true, "the model (instead of the positional MODEL)", "MODEL", false, "m"});
  s.push_back({"threads", true, "comma-separated thread counts to measure (default 1,2)", "LIST", false, "t"});
  s.push_back({"ctx-size", true, "positions the KV cache holds (default: the model's context)", "N", false, "c"});
  s.push_back({"runs", true, "measured repetitions per figure (default 5)", "N", false, "r"});
  s.push_back({"decode-tokens", true, "decode steps per run (default 32)", "N", false, "n"});
  s.push_back({"prefill", true, "comma-separated prompt lengths to measure (default 64,512)", "LIST", false, "p"});
  s.push_back({"parallel", true, "measure batched decode instead: comma-separated numbers of streams decoding "
               "together (as lmc serve --parallel)", "LIST"});
  s.push_back({"json", false, "print JSON instead of a table"});
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


void print_table(const driver::LoadedModel& m, double weight_bytes, const std::vector<driver::SpeedResult>& rs, long rss_kb) {
  std::printf("model %s: %.1f MB of weights, %.1f MB read per decode token\n", m.info.name.c_str(),
              m.weight_bytes / 1e6, weight_bytes / 1e6);
  std::printf("%-8s %10s %12s %10s %10s %9s", "threads", "read GB/s", "decode tok/s", "roofline", "step p50",
              "step max");
  for (const auto& [n, tps] : rs.front().prefill_tps) std::printf(" %11s", ("pp" + std::to_string(n) + " tok/s").c_str());
  std::printf(" %9s\n", "TTFT ms");
  for (const auto& r : rs) {
    double roof = r.bandwidth / weight_bytes;
    std::printf("%-8d %10.1f %12.1f %9.0f%% %8.2fms %7.2fms", r.threads, r.bandwidth / 1e9, r.decode_tps,
                100 * r.decode_tps / roof, r.decode_step_ms_median, r.decode_step_ms_max);
    for (const auto& [n, tps] : r.prefill_tps) std::printf(" %11.1f", tps);
    std::printf(" %9.1f\n", r.ttft_ms);
  }
  std::printf("peak RSS %.1f MB\n", rss_kb / 1e3);
}

void print_json(const driver::LoadedModel& m, double weight_bytes, const std::vector<driver::SpeedResult>& rs, long rss_kb) {
  std::printf("{\"model\": \"%s\", \"weight_bytes\": %.0f, \"decode_bytes_per_token\": %.0f, \"peak_rss_bytes\": %ld, "
              "\"results\": [", m.info.name.c_str(), static_cast<double>(m.weight_bytes), weight_bytes, rss_kb * 1024);
  for (size_t i = 0; i < rs.size(); ++i) {
    const auto& r = rs[i];
    std::printf("%s{\"threads\": %d, \"read_bandwidth_bytes_per_s\": %.0f, \"decode_tokens_per_s\": %.3f, "
                "\"decode_roofline_fraction\": %.4f, \"decode_step_ms_median\": %.4f, \"decode_step_ms_max\": %.4f, "
                "\"time_to_first_token_ms\": %.3f, \"prefill_tokens_per_s\": {",
                i ? ", " : "", r.threads, r.bandwidth, r.decode_tps, r.decode_tps * weight_bytes / r.bandwidth,
                r.decode_step_ms_median, r.decode_step_ms_max, r.ttft_ms);
    for (size_t j = 0; j < r.prefill_tps.size(); ++j)
      std::printf("%s\"%lld\": %.3f", j ? ", " : "", static_cast<long long>(r.prefill_tps[j].first),
                  r.prefill_tps[j].second);
    std::printf("}}");
  }
  std::printf("]}\n");
}

// Aggregate decode speed per stream count, and its ratio to one stream's at the same
// thread count (the first of the list when it is 1).
void print_parallel(const driver::LoadedModel& m, const std::vector<driver::ParallelResult>& rs, bool json) {
  auto single = [&](int threads) {
    for (const auto& r : rs)
      if (r.threads == threads && r.streams == 1) return r.decode_tps;
    return 0.0;
  };
  if (json) {
    std::printf("{\"model\": \"%s\", \"parallel\": [", m.info.name.c_str());
    for (size_t i = 0; i < rs.size(); ++i)
      std::printf("%s{\"threads\": %d, \"streams\": %lld, \"decode_tokens_per_s\": %.3f, \"step_ms_median\": %.4f}",
                  i ? ", " : "", rs[i].threads, static_cast<long long>(rs[i].streams), rs[i].decode_tps,
                  rs[i].step_ms_median);
    std::printf("]}\n");
    return;
  }
  std::printf("model %s: batched decode\n", m.info.name.c_str());
  std::printf("%-8s %8s %14s %16s %10s %10s\n", "threads", "streams", "decode tok/s", "per stream tok/s", "step p50",
              "vs 1");
  for (const auto& r : rs) {
    double one = single(r.threads);
    std::printf("%-8d %8lld %14.1f %16.1f %8.2fms %9s\n", r.threads, static_cast<long long>(r.streams), r.decode_tps,
                r.decode_tps / static_cast<double>(r.streams), r.step_ms_median,
                one > 0 ? (std::to_string(r.decode_tps / one).substr(0, 4) + "x").c_str() : "-");
  }
}

}  // namespace

int cmd_bench(int argc, char** argv) {
  load_pass_plugins(argc, argv);
  Args a(specs(), argc, argv, 2);
  if (a.has("help")) {
    std::cout << "usage: lmc bench MODEL.lmc|MODEL.yaml|MODEL.gguf|HF_FOLDER [options]\n\n"
                 "Measures decode tokens/s, prefill tokens/s and time to first token per thread count\n"
                 "(medians of --runs after a warm-up run), the memory-read bandwidth in the same\n"
                 "process, the decode roofline fraction, and peak RSS.\n\noptions:\n"
              << Args::help_text(specs());
    return 0;
  }
  const std::string model = model_argument(a, "lmc bench");
  auto threads = int_list(a.get_or("threads", "1,2"), "threads");
  auto prefill = int_list(a.get_or("prefill", "64,512"), "prefill");
  int runs = static_cast<int>(a.get_int("runs", 5, 1, 1000));
  int64_t decode_tokens = a.get_int("decode-tokens", 32, 1, 100000);

  driver::LoadedModel m = open_model(model, a);
  if (decode_tokens + 8 > m.info.context) throw UsageError("--decode-tokens does not fit the context");
  if (auto list = a.get("parallel")) {
    std::vector<driver::ParallelResult> rs;
    for (int64_t t : threads)
      for (int64_t n : int_list(*list, "parallel")) {
        check_parallel(n, m.info);
        rs.push_back(driver::measure_parallel(m, static_cast<int>(t), runs, decode_tokens, n));
      }
    print_parallel(m, rs, a.has("json"));
    return 0;
  }
  double weight_bytes = driver::decode_weight_bytes(*m.graph);
  std::vector<driver::SpeedResult> results;
  for (int64_t t : threads) results.push_back(driver::measure_speed(m, static_cast<int>(t), runs, decode_tokens, prefill));
  // Peak RSS is the model's: the bandwidth probe's buffer comes after it is read.
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  for (auto& r : results) r.bandwidth = driver::measure_read_bandwidth(r.threads);
  if (a.has("json"))
    print_json(m, weight_bytes, results, ru.ru_maxrss);
  else
    print_table(m, weight_bytes, results, ru.ru_maxrss);
  return 0;
}

}  // namespace lmc::tools
