#include "tools/lmc/commands/bench_graph.h"

#include <algorithm>
#include <optional>

#include "driver/agreement_tolerance.h"
#include "driver/array_statistics.h"
#include "driver/graph_arguments.h"
#include "driver/graph_input.h"
#include "driver/graph_timing.h"
#include "driver/random_weights_file.h"
#include "tools/lmc/commands/bench_pipelines.h"
#include "tools/lmc/flags/dim_flags.h"
#include "tools/lmc/flags/model_flags.h"
#include "tools/lmc/flags/pass_flags.h"
#include "tools/lmc/reports/compile_report.h"

namespace lmc::tools {

namespace {

// What lmc bench measures on a model that a graph does not have.
void refuse_model_flags(const Args& a, const std::string& path) {
  for (const char* flag : {"prefill", "decode-tokens", "depth", "pg", "spec", "parallel", "ctx-size"})
    if (a.has(flag))
      throw UsageError(std::string("--") + flag + " measures a model; " + path +
                       " is a graph, run at the dims --dim gives (--dim T=64)");
  if (!pass_options(a).empty())
    throw UsageError(
        "with --vs-pipeline, give pass options inside the pipeline they belong to "
        "(--vs-pipeline='default,quant-threshold{min-dim=64}'), not as flags");
}

// B's results against A's, as lmc exec --against compares them: the largest differences
// and the least cosine over the results, each result within the tolerance.
void add_agreement(report::PipelineComparison& c, const driver::GraphRun& a, const driver::GraphRun& b,
                   std::optional<double> tolerance, const std::string& dims) {
  c.compared = "its " + std::to_string(a.results.size()) + " result(s) at " + dims;
  c.tolerance = tolerance.value_or(a.weight_dtypes != b.weight_dtypes ? driver::kRoundedWeightsTolerance
                                                                      : driver::kDefaultTolerance);
  c.agree = true;
  for (size_t i = 0; i < a.results.size(); ++i) {
    const driver::ArrayDifference d = driver::difference(b.results[i], a.results[i]);
    c.max_abs = std::max(c.max_abs, d.max_abs);
    c.max_rel = std::max(c.max_rel, d.max_rel);
    c.cosine = std::min(c.cosine, d.cosine);
    c.agree = c.agree && driver::within(d, c.tolerance);
  }
}

}  // namespace

std::vector<FlagSpec> graph_bench_flag_specs() {
  return {
      dim_flag_spec(),
      {"seed", true, "with a graph (.lir): the seed of its generated arguments and random params (default 0)", "N"}};
}

int bench_graph(const Args& a, const std::string& path, int threads, int runs, const std::string& format) {
  refuse_model_flags(a, path);
  report::PipelineComparison c;
  read_pipelines(a, c);
  const runtime::SymbolValues given = parse_dims(a.all("dim"));
  const auto seed = static_cast<uint64_t>(a.get_int("seed", 0, 0, INT64_MAX));
  std::optional<double> tolerance;
  if (a.has("tolerance")) tolerance = a.get_double("tolerance", 0, 0, 1);
  auto reporter = CompileReporter::open(a);

  driver::CompileRequest ra = compile_request(path, a, TargetDefault::Host);
  const std::unique_ptr<ir::Graph> source = driver::read_graph(path, {}, false).graph;
  const runtime::SymbolValues syms = driver::bind_symbols(*source, given, path);
  const std::vector<driver::HostArray> args = driver::graph_arguments(*source, path, syms, {}, seed);
  std::optional<driver::RandomWeightsFile> random;
  if (ra.lower.weights.empty() && driver::has_params(*source)) {
    random.emplace(*source, path, seed);
    ra.lower.weights = random->path();
  }
  // Only the pipeline differs; the IR and kernel dumps (and the report) watch B's compile,
  // the pass statistics both.
  driver::CompileRequest rb = ra;
  ra.pipeline = c.a;
  rb.pipeline = c.b;
  ra.instrumentation = {};
  ra.instrumentation.pass_stats = rb.instrumentation.pass_stats;
  ra.codegen = {};
  if (reporter) {
    reporter->watch(rb.instrumentation);
    reporter->want_assembly(rb.codegen);
  }
  say_pass_stats_of(a, "A", c.a);
  driver::GraphProgram pa(ra, *source, args, syms, threads);
  say_pass_stats_of(a, "B", c.b);
  driver::GraphProgram pb(rb, *source, args, syms, threads);
  pa.run();
  pb.run();
  const std::string dims =
      dims_text(std::any_of(given.begin(), given.end(), [](int64_t v) { return v > 0; }) ? given : syms);
  add_agreement(c, pa.results(), pb.results(), tolerance, dims);
  const bool timed = c.agree || a.has("allow-disagree");
  if (timed) {
    const driver::GraphTurns turns = driver::time_turn_about(pa, pb, syms[static_cast<size_t>(ir::Sym::T)], runs);
    c.speed.push_back({dims, turns.a, turns.b, "rows/s"});
  }
  return finish_comparison(c, format, reporter.get(), path, nullptr, timed);
}

}  // namespace lmc::tools
