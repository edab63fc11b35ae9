#include "tools/lmc/commands/bench_pipelines.h"

#include <cstdio>
#include <iostream>

#include "driver/first_step_agreement.h"
#include "driver/interleaved_runs.h"
#include "driver/report/kernel_time_rows.h"
#include "passes/pipeline.h"
#include "support/error.h"
#include "tools/lmc/flags/model_flags.h"
#include "tools/lmc/flags/pass_flags.h"
#include "tools/lmc/reports/bench_report.h"
#include "tools/lmc/reports/compile_report.h"
#include "tools/lmc/reports/pipeline_comparison_output.h"

namespace lmc::tools {

namespace {

// The first step's prompt when no -p length is given.
constexpr int64_t kAgreementTokens = 8;

// The flags lmc bench has that measure something else, or many things at once.
void refuse_other_modes(const Args& a, const PipelineBench& b) {
  for (const char* flag : {"spec", "parallel", "pg"})
    if (a.has(flag)) throw UsageError(std::string("--vs-pipeline compares pipelines on pp and tg: not with --") + flag);
  if (b.threads.size() != 1) throw UsageError("--vs-pipeline measures at one thread count: give -t N");
  if (b.format != "table" && b.format != "json")
    throw UsageError("--vs-pipeline prints a table or, with -o json, one JSON object; not -o " + b.format);
  if (!pass_options(a).empty())
    throw UsageError(
        "with --vs-pipeline, give pass options inside the pipeline they belong to "
        "(--vs-pipeline='default,quant-threshold{min-dim=64}'), not as flags");
  if (a.has("pipeline") && a.has("passes")) throw UsageError("give --pipeline or --passes (pipeline A), not both");
}

// Each pipeline read before anything is compiled, its errors naming its own flag.
void check_pipeline(const std::string& text, const std::string& flag) {
  try {
    passes::parse_pipeline(text, flag);
  } catch (const Error& e) {
    throw UsageError(e.what());
  }
}

void add_speed(report::PipelineComparison& c, const std::string& test, const driver::Samples& a,
               const driver::Samples& b) {
  c.speed.push_back({test, a.values, b.values});
}

void add_speed(report::PipelineComparison& c, const driver::InterleavedSpeed& s, int64_t decode_tokens) {
  for (size_t i = 0; i < s.a.prefill_tps.size(); ++i)
    add_speed(c, speed_test_name(s.a.prefill_tps[i].first, 0), s.a.prefill_tps[i].second, s.b.prefill_tps[i].second);
  if (s.a.decode_tps) add_speed(c, speed_test_name(0, decode_tokens), *s.a.decode_tps, *s.b.decode_tps);
}

std::string kernel_note(int runs, int64_t prompt, int64_t decode) {
  return "each kernel's calls and milliseconds in a run (a prompt of " + std::to_string(prompt) + " tokens, then " +
         std::to_string(decode) + " decode steps), the mean over " + std::to_string(runs) +
         " profiled run(s) of each pipeline, turn about, with the least and most; p: Mann-Whitney U over the runs "
         "(about 1 row in 20 falls under 0.05 by chance); the least p first";
}

}  // namespace

std::vector<FlagSpec> pipeline_bench_flag_specs() {
  return {
      {"vs-pipeline", true,
       "compare pipeline B against A (--pipeline): their first step's logits, then pp and tg tok/s "
       "run turn about, and each kernel's time in both (README: did my fusion pay?)",
       "B"},
      {"pipeline", true, "with --vs-pipeline: pipeline A (default: --passes, else 'default')", "A"},
      {"tolerance", true,
       "with --vs-pipeline: the most the logits' max |d| / max |A's| and 1 - cosine may be, as lmc exec "
       "--against (default 0.001; 0.03 when the pipelines' weights differ in dtype)",
       "X"},
      {"allow-disagree", false, "with --vs-pipeline: time pipelines that disagree too, and exit 0"},
      report_flag_spec(),
  };
}

namespace {

void add_agreement(report::PipelineComparison& c, const driver::FirstStepAgreement& agreement) {
  c.compared = "the first step's logits (" + std::to_string(agreement.tokens) + " prompt rows)";
  c.agreement_tokens = agreement.tokens;
  c.max_abs = agreement.difference.max_abs;
  c.max_rel = agreement.difference.max_rel;
  c.cosine = agreement.difference.cosine;
  c.tolerance = agreement.tolerance;
  c.agree = agreement.agree;
}

// The figures turn about, then the profiled runs: one prompt of `prompt` tokens and the
// decode steps the context leaves room for after it.
void add_timings(report::PipelineComparison& c, const driver::LoadedModel& ma, const driver::LoadedModel& mb,
                 const PipelineBench& b, int64_t prompt) {
  const int threads = static_cast<int>(b.threads.front());
  add_speed(c, driver::measure_interleaved(ma, mb, threads, b.runs, b.tests), b.tests.decode_tokens);
  const int64_t context = std::min(ma.info.context, mb.info.context);
  const int64_t decode = std::max<int64_t>(0, std::min(b.tests.decode_tokens, context - prompt));
  const driver::InterleavedProfile p = driver::profile_interleaved(ma, mb, threads, b.runs, prompt, decode);
  c.kernels = report::kernel_time_rows(p.a, p.b);
  c.kernel_note = kernel_note(b.runs, prompt, decode);
}

}  // namespace

void read_pipelines(const Args& a, report::PipelineComparison& c) {
  c.a = a.has("pipeline") ? *a.get("pipeline") : a.get_or("passes", "default");
  c.b = *a.get("vs-pipeline");
  check_pipeline(c.a, a.has("pipeline") ? "--pipeline" : "--passes");
  check_pipeline(c.b, "--vs-pipeline");
}

int bench_pipelines(const Args& a, const std::string& model, PipelineBench b) {
  refuse_other_modes(a, b);
  report::PipelineComparison c;
  read_pipelines(a, c);
  auto reporter = CompileReporter::open(a);
  OpenOverride oa, ob;
  oa.pipeline = c.a;
  ob.pipeline = c.b;
  // The report is B's compile: its passes, remarks and kernels, beside the comparison.
  if (reporter)
    ob.adjust = [&reporter](driver::CompileRequest& r) {
      reporter->watch(r.instrumentation);
      reporter->want_assembly(r.codegen);
    };
  say_pass_stats_of(a, "A", c.a);
  const driver::LoadedModel ma = open_model(model, a, oa);
  say_pass_stats_of(a, "B", c.b);
  const driver::LoadedModel mb = open_model(model, a, ob);
  b.fit(b.tests, std::min(ma.info.context, mb.info.context));
  const int64_t prompt = b.tests.prefill.empty() ? kAgreementTokens : b.tests.prefill.front();
  std::optional<double> tolerance;
  if (a.has("tolerance")) tolerance = a.get_double("tolerance", 0, 0, 1);
  add_agreement(c, driver::compare_first_step(ma, mb, static_cast<int>(b.threads.front()), prompt, tolerance));
  const bool timed = c.agree || a.has("allow-disagree");
  if (timed) add_timings(c, ma, mb, b, prompt);
  return finish_comparison(c, b.format, reporter.get(), mb.info.name, mb.graph.get(), timed);
}

void say_pass_stats_of(const Args& a, const char* side, const std::string& pipeline) {
  if (a.has("pass-stats")) std::cerr << "[pass-stats] pipeline " << side << " (" << pipeline << "):\n";
}

int finish_comparison(const report::PipelineComparison& c, const std::string& format, CompileReporter* reporter,
                      const std::string& title, const ir::Graph* graph_b, bool timed) {
  if (format == "json")
    std::cout << comparison_json(c);
  else
    print_comparison_table(c);
  if (reporter) {
    reporter->add_comparison(c);
    reporter->write(title, graph_b, c.b, "");
    std::cerr << "  report: " << reporter->path() << "\n";
  }
  if (timed) return 0;
  std::cout.flush();
  std::fflush(stdout);
  std::fprintf(stderr,
               "lmc bench: the pipelines disagree: not timed (--allow-disagree times them anyway; --tolerance "
               "sets how close they must be)\n");
  return 1;
}

}  // namespace lmc::tools
