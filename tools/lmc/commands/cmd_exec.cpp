// lmc exec: compile any graph (IR text) with a pipeline and run it once on .npy or seeded
// inputs, with its params from --weights or seeded random; with --against, run it compiled
// with a second pipeline on the same inputs and params and compare every result, so that a
// pass shows from a .lir alone that it keeps the numbers (tests/lit/passes run it).
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <map>
#include <optional>
#include <set>

#include "driver/agreement_tolerance.h"
#include "driver/array_statistics.h"
#include "driver/graph_arguments.h"
#include "driver/graph_input.h"
#include "driver/graph_run.h"
#include "driver/model_input.h"
#include "driver/random_weights_file.h"
#include "runtime/executor.h"
#include "support/dump_folder.h"
#include "support/error.h"
#include "tools/lmc/commands/commands.h"
#include "tools/lmc/flags/dim_flags.h"
#include "tools/lmc/flags/jit_flags.h"
#include "tools/lmc/flags/model_flags.h"
#include "tools/lmc/flags/pass_flags.h"
#include "tools/lmc/npy/npy_reader.h"
#include "tools/lmc/npy/npy_writer.h"
#include "tools/lmc/reports/compile_report.h"

namespace lmc::tools {

namespace {

std::vector<FlagSpec> specs() {
  std::vector<FlagSpec> s;
  for (auto& f : compile_flag_specs())
    if (f.name != "context" && f.name != "model-def") s.push_back(f);
  for (FlagSpec& f : amx_flag_specs()) s.push_back(std::move(f));
  s.push_back({"input", true,
               "the values of graph argument NAME (% optional): a .npy of its shape, floats or "
               "integers as its type; repeat per argument. Others are generated from --seed",
               "NAME=FILE.npy"});
  s.push_back(dim_flag_spec());
  s.push_back({"seed", true,
               "seed of the generated inputs and, without --weights, the random params "
               "(default 0)",
               "N"});
  s.push_back({"against", true,
               "also run the graph compiled with PIPELINE (e.g. none) on the same inputs and "
               "params and compare each result; exit 1 when one differs beyond --tolerance",
               "PIPELINE"});
  s.push_back({"tolerance", true,
               "with --against: the most a result's max |d| / max |reference| and 1 - cosine "
               "similarity may be (default 0.001; 0.03 when the pipelines' weights differ in dtype, e.g. q8_0 "
               "against f32)",
               "X"});
  s.push_back({"output-dir", true,
               "write each result to DIR/NAME.npy (with --against, the reference's to "
               "DIR/NAME.against.npy)",
               "DIR"});
  s.push_back(report_flag_spec());
  s.push_back({"threads", true, "worker threads (default: the machine's cores)", "N", false, "t"});
  s.push_back({"help", false, "show this help", "", false, "h"});
  return s;
}

// The --input flags' files by argument name, read once every flag is known to be well formed.
std::map<std::string, driver::GivenArray> read_inputs(const std::vector<std::string>& flags) {
  std::map<std::string, std::string> paths;
  for (const std::string& flag : flags) {
    const size_t eq = flag.find('=');
    std::string name = flag.substr(0, eq);
    if (!name.empty() && name[0] == '%') name.erase(0, 1);
    if (eq == std::string::npos || name.empty() || eq + 1 == flag.size())
      throw UsageError("--input expects NAME=FILE.npy with NAME a graph argument, got '" + flag + "'");
    if (!paths.emplace(name, flag.substr(eq + 1)).second) throw UsageError("--input gives %" + name + " twice");
  }
  std::map<std::string, driver::GivenArray> out;
  for (const auto& [name, path] : paths) out[name] = {path, read_npy(path)};
  return out;
}

// "f32[7,64]": a result's dtype in the graph as written, its dims bound.
std::string bound_type(const ir::Value& v, const driver::HostArray& a) {
  std::string dims;
  for (int64_t d : a.shape) dims += (dims.empty() ? "" : ",") + std::to_string(d);
  return std::string(ir::dtype_name(v.type().dtype)) + "[" + dims + "]";
}

void print_result(const ir::Value& v, const driver::HostArray& a) {
  const driver::ArraySummary s = driver::summarize(a);
  std::printf("result %%%s %s min=%.4g max=%.4g mean=%.4g rms=%.4g", v.name().c_str(), bound_type(v, a).c_str(), s.min,
              s.max, s.mean, s.rms);
  if (s.nonfinite) std::printf(" nonfinite=%lld", static_cast<long long>(s.nonfinite));
  std::printf("\n");
}

// "f32, q8_0": the dtypes a compiled graph's weights are read in.
std::string dtype_list(const std::set<ir::DType>& dtypes) {
  std::string out;
  for (ir::DType t : dtypes) out += (out.empty() ? "" : ", ") + std::string(ir::dtype_name(t));
  return out.empty() ? "none" : out;
}

// One line per result and a last line for all; whether every result is within `tolerance`.
bool print_comparison(const ir::Graph& g, const std::vector<driver::HostArray>& results,
                      const std::vector<driver::HostArray>& reference, const std::string& pipelines, double tolerance) {
  size_t agree = 0;
  for (size_t i = 0; i < results.size(); ++i) {
    const driver::ArrayDifference d = driver::difference(results[i], reference[i]);
    const bool ok = driver::within(d, tolerance);
    agree += ok;
    std::printf("compare %%%s max_abs=%.4g max_rel=%.4g cosine=%.6f %s\n", g.outputs()[i]->name().c_str(), d.max_abs,
                d.max_rel, d.cosine, ok ? "ok" : "DIFFERS");
  }
  std::printf("exec: %s: %zu of %zu results within tolerance %g\n", pipelines.c_str(), agree, results.size(),
              tolerance);
  return agree == results.size();
}

void write_results(const std::string& dir, const ir::Graph& g, const std::vector<driver::HostArray>& results,
                   const std::string& suffix) {
  runtime::DumpFolder folder(dir);
  for (size_t i = 0; i < results.size(); ++i)
    folder.write(g.outputs()[i]->name() + suffix + ".npy", npy_bytes(results[i]));
}

}  // namespace

int cmd_exec(int argc, char** argv) {
  load_pass_plugins(argc, argv);
  std::optional<Args> parsed =
      command_args(specs(), argc, argv,
                   "usage: lmc exec GRAPH.lir [--passes=PIPELINE] [--against=PIPELINE2] [--input NAME=FILE.npy ...]\n"
                   "                [--dim T=7,L=1] [--weights FILE] [--seed N] [--output-dir DIR] [--tolerance X]\n\n"
                   "Compiles a graph (IR text) with the pipeline as lmc compile does and runs it once with its\n"
                   "generated kernels: each argument from --input, else seeded values (tokens within the table\n"
                   "they index, positions 0..T-1, seq 0, the rest standard normal); the params from --weights,\n"
                   "else seeded random (matrices N(0, 1/columns), vectors 1 + N(0, 0.01); a param whose\n"
                   "stored = names a block type is quantized into it, as a file stores it). Prints one line\n"
                   "per result. --against=PIPELINE2 runs the graph compiled with PIPELINE2 on the same inputs\n"
                   "and params and compares each result: max |d|, max relative error (max |d| over the\n"
                   "largest |reference|), cosine similarity; exit 1 when one differs beyond --tolerance.\n\n"
                   "options:\n");
  if (!parsed) return 0;  // --help
  const Args& a = *parsed;
  if (a.positional().size() != 1) throw UsageError("lmc exec expects one graph (.lir)");
  const std::string path = a.positional()[0];
  if (driver::model_input(path) != driver::ModelInput::Graph)
    throw UsageError("lmc exec runs a graph as IR text (.lir), not " + path);
  if (a.has("tolerance") && !a.has("against")) throw UsageError("--tolerance applies to --against's comparison");
  const runtime::SymbolValues dims = parse_dims(a.all("dim"));
  const auto seed = static_cast<uint64_t>(a.get_int("seed", 0, 0, INT64_MAX));
  const auto threads = static_cast<int>(a.get_int("threads", runtime::default_threads(), 1, 1024));
  driver::CompileRequest r = compile_request(path, a, TargetDefault::Portable);
  const auto given = read_inputs(a.all("input"));
  auto reporter = CompileReporter::open(a);
  if (reporter) {
    reporter->watch(r.instrumentation);
    reporter->want_assembly(r.codegen);
  }

  const std::unique_ptr<ir::Graph> source = driver::read_graph(path, {}, false).graph;
  const runtime::SymbolValues syms = driver::bind_symbols(*source, dims, path);
  const std::vector<driver::HostArray> args = driver::graph_arguments(*source, path, syms, given, seed);
  std::optional<driver::RandomWeightsFile> random;
  if (r.lower.weights.empty() && driver::has_params(*source)) {
    random.emplace(*source, path, seed);
    r.lower.weights = random->path();
  }
  const driver::GraphRun run = driver::run_graph(r, *source, args, syms, threads);
  const std::vector<driver::HostArray>& results = run.results;
  if (reporter) reporter->write(path, nullptr, r.pipeline, "");
  for (size_t i = 0; i < results.size(); ++i) print_result(*source->outputs()[i], results[i]);
  const std::string out_dir = a.get_or("output-dir", "");
  if (!out_dir.empty()) write_results(out_dir, *source, results, "");
  if (!a.has("against")) return 0;

  // The same graph, inputs, params and option flags: only the pipeline differs. The IR
  // and kernel dump flags (and the report) watch the first compile alone.
  driver::CompileRequest base = r;
  base.pipeline = *a.get("against");
  base.instrumentation = {};
  base.codegen = {};
  const driver::GraphRun against = driver::run_graph(base, *source, args, syms, threads);
  if (!out_dir.empty()) write_results(out_dir, *source, against.results, ".against");
  const bool rounded = run.weight_dtypes != against.weight_dtypes;
  if (rounded && !a.has("tolerance"))
    std::printf("exec: weights in %s against %s: tolerance %g\n", dtype_list(run.weight_dtypes).c_str(),
                dtype_list(against.weight_dtypes).c_str(), driver::kRoundedWeightsTolerance);
  const double tolerance =
      a.get_double("tolerance", rounded ? driver::kRoundedWeightsTolerance : driver::kDefaultTolerance, 0, 1);
  return print_comparison(*source, results, against.results, r.pipeline + " against " + base.pipeline, tolerance) ? 0
                                                                                                                  : 1;
}

}  // namespace lmc::tools
