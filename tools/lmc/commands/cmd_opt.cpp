// lmc opt: reads IR text, runs passes, prints the result — mlir-opt for lmc graphs.
#include <algorithm>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>

#include "codegen/kernel_compiler.h"
#include "driver/cost_table.h"
#include "driver/kernel_cost_model.h"
#include "ir/dot_writer.h"
#include "ir/parser.h"
#include "ir/printer.h"
#include "ir/verifier.h"
#include "passes/pass_manager.h"
#include "passes/pass_registry.h"
#include "runtime/kernel_table.h"
#include "support/error.h"
#include "support/pending_file.h"
#include "support/regular_file.h"
#include "tools/lmc/commands/commands.h"
#include "tools/lmc/flags/pass_flags.h"
#include "tools/lmc/lit/lit_source_place.h"
#include "tools/lmc/opt/expected_diagnostics.h"
#include "tools/lmc/opt/op_list.h"
#include "tools/lmc/reports/compile_report.h"

namespace lmc::tools {

namespace {

std::vector<FlagSpec> opt_specs() {
  auto specs = pass_flag_specs();
  specs.push_back({"o", true, "write the result to FILE instead of stdout", "FILE"});
  specs.push_back({"split-input-file", false, "treat each '// -----'-separated part of the input as its own graph"});
  specs.push_back({"verify-diagnostics", false,
                   "check the errors and remarks against the input's '// expected-error {{...}}' (-warning, -remark, "
                   "-note) comments instead of failing"});
  specs.push_back({"cost-table", true,
                   "times for quant-threshold{mode=measured} and tune-prefill from FILE ('<type> <seconds>' and "
                   "'prefill <kernel> <weights> <rows> <seconds>' lines) instead of timing kernels here",
                   "FILE"});
  specs.push_back({"emit-dot", false,
                   "write the result as a Graphviz picture instead of IR text, what the passes changed outlined"});
  specs.push_back({"dump-llvm-ir", true,
                   "generate the result's kernels and write each one's optimized LLVM IR to DIR/<kernel>.ll", "DIR"});
  specs.push_back(
      {"dump-asm", true, "generate the result's kernels and write each one's assembly to DIR/<kernel>.s", "DIR"});
  specs.push_back({"explain-placement", true,
                   "print where in the pipeline (--passes, else the default) PASS's pattern matches, counted "
                   "before every pass, instead of the result; PASS: a pass file's pass (--load-pass-file)",
                   "PASS"});
  specs.push_back(report_flag_spec());
  specs.push_back({"print-pipeline-passes", false, "print the pipeline that would run, in pipeline text, and exit"});
  specs.push_back({"list-passes", false, "list the available passes and their options, and exit"});
  specs.push_back({"list-ops", false, "list the IR's ops with their operands, attributes and traits, and exit"});
  specs.push_back({"help", false, "show this help", "", false, "h"});
  return specs;
}

std::string read_input(const std::string& path) {
  if (path == "-") {
    std::stringstream ss;
    ss << std::cin.rdbuf();
    return ss.str();
  }
  return read_regular_file(path);
}

void list_passes() {
  auto& registry = passes::PassRegistry::instance();
  for (const auto& name : registry.names()) {
    auto pass = registry.create(name);
    std::cout << name << "  " << pass->summary() << "\n";
    for (const auto& o : pass->options())
      std::cout << "    " << o.name << "=" << passes::option_value_syntax(o) << "  " << o.help
                << (o.default_value.empty() ? "" : " (default " + o.default_value + ")") << "; flag --"
                << passes::option_flag(o, name) << "\n";
  }
}

// The kernels of `g` for this machine's baseline target, for their dumps: a graph needs
// no weights to be compiled, so a researcher sees the code a fusion becomes from IR text.
void dump_kernels(const Args& a, const ir::Graph& g, const std::string& path) {
  codegen::CompileOptions co;
  co.dump_llvm_ir_dir = a.get_or("dump-llvm-ir", "");
  co.dump_asm_dir = a.get_or("dump-asm", "");
  if (co.dump_llvm_ir_dir.empty() && co.dump_asm_dir.empty()) return;
  codegen::KernelCompiler compiler;
  runtime::add_graph_kernels(compiler, g, path);
  compiler.compile(co);
}

// The result as a Graphviz picture, the ops the passes added or changed outlined.
std::string picture(const ir::Graph& g, const ir::DotOptions& dot, const passes::PassManager& pm,
                    const std::string& input, const std::string& source) {
  bool changed = std::any_of(pm.records().begin(), pm.records().end(), [](const auto& r) { return r.changed; });
  auto before = changed ? ir::parse(input, source) : nullptr;
  std::ostringstream s;
  ir::write_dot(g, s, dot, before.get());
  return s.str();
}

// What quant-threshold's measured mode asks: kernels timed here, or a table's times.
std::unique_ptr<passes::CostModel> cost_model(const Args& a) {
  if (auto table = a.get("cost-table")) return std::make_unique<driver::CostTable>(*table);
  return std::make_unique<driver::KernelCostModel>();
}

// The pipeline to run: --passes; with --explain-placement and no --passes, the default one
// (where a researcher's pass would go).
std::string pipeline_of(const Args& a) { return a.get_or("passes", a.has("explain-placement") ? "default" : "none"); }

// The pass --explain-placement names, to be counted and never run.
std::unique_ptr<passes::Pass> explained_pass(const std::string& name) {
  auto& registry = passes::PassRegistry::instance();
  auto p = registry.create(name);
  if (!p) throw UsageError("--explain-placement: " + passes::pass_name_problem(name));
  ir::Graph probe;
  if (!p->candidates(probe))
    throw UsageError("--explain-placement: pass '" + name +
                     "' has no pattern to count (every fusion pass has one: a pass file's, fuse-qkv, "
                     "fuse-gate-up, fuse-elementwise)");
  return p;
}

// What one input graph said besides its result: the passes' remarks, and where the input
// defines each value they name (for --verify-diagnostics).
struct PartNotes {
  passes::PassContext ctx;
  std::map<std::string, int> lines;
};

// Parses, verifies and optimizes one input graph and returns its printed result.
std::string optimize(const Args& a, const InputPart& part, const std::string& source, passes::CostModel& cost,
                     CompileReporter* reporter, PartNotes& notes) {
  auto g = ir::parse(part.text_with_line_offset(), source);
  notes.lines = definition_lines(*g, part.graph_line());
  ir::verify(*g, source);
  passes::Instrumentation inst = instrumentation_from(a);
  if (reporter) reporter->watch(inst);
  const ir::DotOptions dot = inst.dot;
  passes::PassManager pm(std::move(inst));
  pm.add_pipeline(pipeline_of(a), pass_options(a));
  if (auto name = a.get("explain-placement")) pm.explain_placement(explained_pass(*name));
  notes.ctx.cost_model = &cost;
  pm.run(*g, notes.ctx);
  if (a.has("explain-placement")) return pm.placement();
  dump_kernels(a, *g, source);
  return a.has("emit-dot") ? picture(*g, dot, pm, part.text_with_line_offset(), source) : ir::print(*g);
}

// What --verify-diagnostics compares with the part's expectations: the remarks made, then
// the error that stopped it.
std::vector<Diagnostic> produced(const PartNotes& notes, const std::optional<std::string>& error,
                                 const std::string& source) {
  auto out = remark_diagnostics(notes.ctx.remarks, notes.lines);
  if (error)
    for (auto& d : error_diagnostics(*error, source)) out.push_back(std::move(d));
  return out;
}

}  // namespace

int cmd_opt(int argc, char** argv) {
  load_pass_plugins(argc, argv);
  std::optional<Args> parsed =
      command_args(opt_specs(), argc, argv,
                   "usage: lmc opt FILE.lir [options]\n\n"
                   "Parses and verifies a graph, runs the --passes pipeline (none by default),\n"
                   "and prints the resulting graph (--emit-dot: as a Graphviz picture). FILE '-' reads\n"
                   "stdin. With --dump-llvm-ir or --dump-asm it also generates the graph's kernels and\n"
                   "writes their code.\n\noptions:\n");
  if (!parsed) return 0;  // --help
  const Args& a = *parsed;
  if (a.has("list-passes")) {
    list_passes();
    return 0;
  }
  if (a.has("print-pipeline-passes")) {
    passes::PassManager pm(instrumentation_from(a));
    pm.add_pipeline(pipeline_of(a), pass_options(a));
    std::cout << pm.pipeline_text() << "\n";
    return 0;
  }
  if (a.has("list-ops")) {
    list_ops(std::cout);
    return 0;
  }
  if (a.positional().size() != 1) throw UsageError("lmc opt expects one input file");
  const std::string& path = a.positional()[0];
  const std::string source = path == "-" ? "<stdin>" : path;
  // Pipeline and flag errors are the user's, not the input's: report them once, up front.
  passes::PassManager(instrumentation_from(a)).add_pipeline(pipeline_of(a), pass_options(a));
  if (auto name = a.get("explain-placement")) explained_pass(*name);
  auto cost = cost_model(a);
  if (a.has("report") && a.has("split-input-file"))
    throw UsageError("--report reports one graph, not --split-input-file");
  auto reporter = CompileReporter::open(a);

  auto parts = split_input(read_input(path), a.has("split-input-file"));
  bool verify = a.has("verify-diagnostics");
  std::string out;
  int failures = 0;
  for (const auto& part : parts) {
    if (&part != &parts.front()) out += kSplitMarker + std::string("\n");
    std::optional<std::string> error;
    PartNotes notes;
    try {
      out += optimize(a, part, source, *cost, reporter.get(), notes);
    } catch (const Error& e) {
      if (!verify && parts.size() == 1) throw;
      error = e.what();
    }
    auto problems =
        verify ? check_diagnostics(part, source, produced(notes, error, source)) : std::vector<std::string>{};
    if (!verify && error) problems.push_back(*error);
    for (const auto& p : problems) std::cerr << lit_source_places(p) << "\n";
    failures += !problems.empty();
  }
  if (reporter) reporter->write(source, nullptr, pipeline_of(a), "");
  if (auto file = a.get("o")) {
    runtime::write_output(*file, out);
  } else {
    std::cout << out;
  }
  return failures ? 1 : 0;
}

}  // namespace lmc::tools
