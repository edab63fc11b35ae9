// lmc bench: decode and prefill speed of a model on this machine, medians of repeated
// runs after warm-up, next to the memory-read bandwidth measured in the same process
// and the decode roofline it implies (weight bytes read per token / bandwidth).
#include <sys/resource.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <iostream>
#include <map>
#include <sstream>

#include "driver/bandwidth_probe.h"
#include "driver/benchmark.h"
#include "driver/model_input.h"
#include "runtime/executor.h"
#include "tools/lmc/commands/bench_graph.h"
#include "tools/lmc/commands/bench_pipelines.h"
#include "tools/lmc/commands/commands.h"
#include "tools/lmc/flags/artifact_flags.h"
#include "tools/lmc/flags/cache_flags.h"
#include "tools/lmc/flags/jit_flags.h"
#include "tools/lmc/flags/llama_flags.h"
#include "tools/lmc/flags/model_flags.h"
#include "tools/lmc/flags/pass_flags.h"
#include "tools/lmc/flags/run_flags.h"
#include "tools/lmc/reports/bench_report.h"

namespace lmc::tools {

namespace {

std::vector<FlagSpec> specs() {
  auto s = open_flag_specs();
  s.push_back({"model", true, "the model (instead of the positional MODEL; repeatable: each measured in turn)", "MODEL",
               false, "m"});
  s.push_back({"threads", true,
               "comma-separated thread counts or ranges (1-4, 1-8*2) to measure (default the machine's cores, as "
               "llama-bench; with --vs-pipeline one count)",
               "LIST", false, "t"});
  s.push_back({"ctx-size", true, "positions the KV cache holds (default: the model's context)", "N", false, "c"});
  s.push_back({"runs", true, "measured repetitions per figure (default 5)", "N", false, "r"});
  s.push_back(
      {"decode-tokens", true, "decode steps per run, the tgN test (default 32; 0 leaves it out)", "N", false, "n"});
  s.push_back({"depth", true,
               "comma-separated numbers of tokens in the KV cache before every test (default 0), "
               "as llama-bench's \"@ dN\": speed at a long context",
               "LIST", false, "d"});
  s.push_back({"prefill", true, "comma-separated prompt lengths, the ppN tests (default 64,512; 0 leaves them out)",
               "LIST", false, "p"});
  s.push_back({"pg",
               true,
               "a prompt of PP tokens then TG decode steps, timed together as llama-bench's ppPP+tgTG "
               "(repeatable)",
               "PP,TG",
               false,
               "",
               {},
               {"pg"}});
  s.push_back({"parallel", true,
               "measure batched decode instead: comma-separated numbers of streams decoding "
               "together (as lmc serve --parallel)",
               "LIST"});
  s.push_back({"output", true,
               "llama-bench's: md (the default), csv, json (an array), jsonl (one record per figure: its 42 fields, "
               "samples; lmc's test, n_parallel and median_ts added), sql; lmc's own: table (bandwidth, roofline, "
               "step times; --vs-pipeline's default), lmc-json (the records beside those figures)",
               "FORMAT", false, "o"});
  s.push_back({"spec", true,
               "measure speculative decoding instead: prompt lookup drafting N tokens a step "
               "(default 3) against plain greedy decoding on a fixed repetitive prompt set",
               "N", true});
  s.push_back({"json", false, "the same as -o json"});
  for (auto& f : pipeline_bench_flag_specs()) s.push_back(f);
  for (auto& f : graph_bench_flag_specs()) s.push_back(f);
  for (auto& f : llama_flag_specs()) s.push_back(f);
  s.push_back({"help", false, "show this help", "", false, "h"});
  return s;
}

// A number of `item` from `at` on, advancing `at`; nullopt when none is there.
std::optional<int64_t> number_at(const std::string& item, size_t& at) {
  int64_t v = 0;
  auto r = std::from_chars(item.data() + at, item.data() + item.size(), v);
  if (r.ec != std::errc()) return std::nullopt;
  at = static_cast<size_t>(r.ptr - item.data());
  return v;
}

// One item of llama-bench's lists: N, or a range FIRST-LAST stepping by +1, by +STEP or by *FACTOR.
bool read_range(const std::string& item, std::vector<int64_t>& out) {
  size_t at = 0;
  std::optional<int64_t> first = number_at(item, at);
  if (!first) return false;
  if (at == item.size()) return out.push_back(*first), true;
  std::optional<int64_t> last;
  if (item[at] != '-' || !(last = number_at(item, ++at)) || *last < *first) return false;
  char op = '+';
  int64_t step = 1;
  if (at < item.size()) {
    op = item[at];
    std::optional<int64_t> by = number_at(item, ++at);
    if ((op != '+' && op != '*') || !by || at != item.size() || *by < (op == '*' ? 2 : 1)) return false;
    step = *by;
  }
  constexpr size_t kMaxValues = 4096;
  for (int64_t v = *first; v <= *last && out.size() < kMaxValues; v = op == '*' ? (v == 0 ? 1 : v * step) : v + step)
    out.push_back(v);
  return true;
}

// Integers separated by commas, each at least `min`; each may be a range as llama-bench's
// (1-4, 16-64*2, 0-100+25).
std::vector<int64_t> int_list(const std::string& s, const char* flag, int64_t min = 1) {
  std::vector<int64_t> out;
  std::stringstream ss(s);
  for (std::string item; std::getline(ss, item, ',');)
    if (!read_range(item, out) || std::any_of(out.begin(), out.end(), [&](int64_t v) { return v < min; }))
      throw UsageError(std::string("--") + flag + " expects " + (min > 0 ? "positive" : "non-negative") +
                       " integers or ranges (FIRST-LAST, FIRST-LAST+STEP, FIRST-LAST*FACTOR) separated by commas, "
                       "not '" +
                       s + "'");
  if (out.empty()) throw UsageError(std::string("--") + flag + " expects integers separated by commas");
  return out;
}

// The models measured, one after another as llama-bench's -m A -m B: the positional MODEL
// and every -m.
std::vector<std::string> bench_models(const Args& a) {
  refuse_llama_flags(a);
  std::vector<std::string> out = a.positional();
  for (const std::string& m : a.all("model")) out.push_back(m);
  if (out.empty()) throw UsageError("lmc bench expects a model (as MODEL or -m; -m again for more)");
  return out;
}

// -p's lengths, without llama-bench's 0 ("no prompt test").
std::vector<int64_t> prefill_lengths(const Args& a) {
  std::vector<int64_t> out;
  for (int64_t n : int_list(a.get_or("prefill", "64,512"), "prefill", 0))
    if (n > 0) out.push_back(n);
  return out;
}

std::vector<std::pair<int64_t, int64_t>> pg_tests(const Args& a) {
  std::vector<std::pair<int64_t, int64_t>> out;
  for (const std::string& v : a.all("pg")) {
    auto pair = int_list(v, "pg");
    if (pair.size() != 2) throw UsageError("-pg expects PP,TG (a prompt length and decode steps), not '" + v + "'");
    out.emplace_back(pair[0], pair[1]);
  }
  return out;
}

// The tests at the deepest depth must fit the context. Default prompt lengths that do not
// are left out; one the user asked for is an error.
void fit_context(driver::SpeedTests& t, int64_t deepest, int64_t context, bool prefill_given) {
  auto fits = [&](int64_t tokens) { return deepest + tokens <= context; };
  auto refuse = [&](const std::string& test) {
    throw UsageError(test + " after " + std::to_string(deepest) + " tokens does not fit the context of " +
                     std::to_string(context) + " (give -c)");
  };
  if (!fits(t.decode_tokens)) refuse(speed_test_name(0, t.decode_tokens));
  for (auto [pp, tg] : t.pg)
    if (!fits(pp + tg)) refuse(speed_test_name(pp, tg));
  std::vector<int64_t> kept;
  for (int64_t n : t.prefill)
    if (fits(n))
      kept.push_back(n);
    else if (prefill_given)
      refuse(speed_test_name(n, 0));
  t.prefill = kept;
}

// What every model of the bench is measured with.
struct BenchPlan {
  std::vector<int64_t> threads, depths;
  int runs;
  driver::SpeedTests tests;
};

// One model's figures, printed while the model is open (its report refers to it).
void bench_model(const Args& a, const std::string& model, BenchPlan plan, BenchPrinter& printer) {
  const std::vector<int64_t>& threads = plan.threads;
  const int runs = plan.runs;
  driver::SpeedTests& tests = plan.tests;
  driver::LoadedModel m = open_model(model, a);
  fit_context(tests, *std::max_element(plan.depths.begin(), plan.depths.end()), m.info.context, a.has("prefill"));
  BenchReport report{m,
                     driver::decode_weight_bytes(*m.graph),
                     0,
                     driver::parameter_count(*m.graph),
                     tests.decode_tokens,
                     tests.pg,
                     {},
                     {},
                     {},
                     model,
                     bench_start_time()};
  if (a.has("spec")) {
    int64_t draft = a.get("spec")->empty() ? 3 : a.get_int("spec", 3, 1, 7);
    for (int64_t t : threads)
      report.spec.push_back(driver::measure_spec(m, static_cast<int>(t), runs, tests.decode_tokens, draft));
  } else if (auto list = a.get("parallel")) {
    std::vector<int64_t> streams = int_list(*list, "parallel");
    for (int64_t n : streams) check_parallel(n, m.info);
    for (int64_t t : threads)
      for (int64_t n : streams)
        report.parallel.push_back(driver::measure_parallel(m, static_cast<int>(t), runs, tests.decode_tokens, n));
  } else {
    for (int64_t t : threads)
      for (int64_t d : plan.depths) {
        tests.depth = d;
        report.speed.push_back(driver::measure_speed(m, static_cast<int>(t), runs, tests));
      }
  }
  // Peak RSS is the model's: the bandwidth probe's buffer comes after it is read.
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  report.peak_rss_kb = ru.ru_maxrss;
  std::map<int, double> bandwidth;  // per thread count, measured once
  for (auto& r : report.speed) {
    if (!bandwidth.count(r.threads)) bandwidth[r.threads] = driver::measure_read_bandwidth(r.threads);
    r.bandwidth = bandwidth[r.threads];
  }
  printer.print(report);
}

}  // namespace

int cmd_bench(int argc, char** argv) {
  load_pass_plugins(argc, argv);
  std::optional<Args> parsed =
      command_args(specs(), argc, argv,
                   "usage: lmc bench MODEL.lmc|MODEL.yaml|MODEL.gguf|HF_FOLDER [options]\n"
                   "       lmc bench GRAPH.lir --dim T=N --vs-pipeline=B [--pipeline=A]\n\n"
                   "Measures decode tokens/s, prefill tokens/s and time to first token per thread count\n"
                   "(medians of --runs after a warm-up run), the memory-read bandwidth in the same\n"
                   "process, the decode roofline fraction, and peak RSS. With --vs-pipeline=B, compares\n"
                   "pipeline B against A (--pipeline, default 'default') on a model definition or weights:\n"
                   "whether their logits agree, pp and tg tok/s run turn about with the ratio B/A, and each\n"
                   "kernel's time in both. On a graph (IR text), times pipeline B against A on seeded\n"
                   "arguments and params at the --dim given, after checking that their results agree.\n\noptions:\n",
                   kBench);
  if (!parsed) return 0;  // --help
  const Args& a = *parsed;
  const std::vector<std::string> models = bench_models(a);
  const bool vs = a.has("vs-pipeline");
  auto threads = int_list(a.get_or("threads", std::to_string(runtime::default_threads())), "threads");
  int runs = static_cast<int>(a.get_int("runs", 5, 1, 1000));
  driver::SpeedTests tests;
  tests.decode_tokens = a.get_int("decode-tokens", 32, 0, 100000);
  tests.prefill = prefill_lengths(a);
  tests.pg = pg_tests(a);
  auto depths = int_list(a.get_or("depth", "0"), "depth", 0);
  if (a.has("json") && a.has("output")) throw UsageError("give -o or --json, not both");
  // llama-bench's markdown by default; --vs-pipeline's comparison is a table of its own.
  const std::string format = a.has("json") ? "json" : a.get_or("output", vs ? "table" : "md");

  if (a.has("spec") && a.has("parallel")) throw UsageError("give --spec or --parallel, not both");
  const bool decode_only = a.has("spec") || a.has("parallel");
  if (decode_only && tests.decode_tokens == 0)
    throw UsageError("--spec and --parallel measure decoding: -n must be positive");
  if (!decode_only && tests.decode_tokens == 0 && tests.prefill.empty() && tests.pg.empty())
    throw UsageError("nothing to measure: -n 0 and -p 0 without -pg");

  if (driver::model_input(models.front()) == driver::ModelInput::Graph) {
    if (models.size() != 1) throw UsageError("lmc bench times one graph at a time");
    if (!vs)
      throw UsageError(models.front() + " is a graph: lmc bench times it against another pipeline (--vs-pipeline=B)");
    if (threads.size() != 1) throw UsageError("--vs-pipeline measures at one thread count: give -t N");
    if (format != "table" && format != "json")
      throw UsageError("--vs-pipeline prints a table or, with -o json, one JSON object; not -o " + format);
    return bench_graph(a, models.front(), static_cast<int>(threads.front()), runs, format);
  }
  for (const char* flag : {"dim", "seed"})
    if (a.has(flag)) throw UsageError(std::string("--") + flag + " applies to a graph (.lir)");
  if (vs) {
    if (models.size() != 1) throw UsageError("--vs-pipeline compares two pipelines of one model: give one");
    if (depths.size() != 1) throw UsageError("--vs-pipeline measures at one depth: give -d N");
    tests.depth = depths.front();
    auto fit = [&a](driver::SpeedTests& t, int64_t context) { fit_context(t, t.depth, context, a.has("prefill")); };
    return bench_pipelines(a, models.front(), {threads, runs, tests, fit, format});
  }
  for (const char* flag : {"pipeline", "tolerance", "allow-disagree", "report"})
    if (a.has(flag)) throw UsageError(std::string("--") + flag + " applies to --vs-pipeline's comparison");
  BenchPrinter printer(format);
  for (const std::string& model : models) bench_model(a, model, {threads, depths, runs, tests}, printer);
  printer.finish();
  return 0;
}

}  // namespace lmc::tools
