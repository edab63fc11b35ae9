#include "driver/graph_run.h"

#include "ir/op_registry.h"

#include "support/error.h"

namespace lmc::driver {

namespace {

// The passes may change how a value is stored (kv-cache-type retypes caches), never its
// shape: the arguments and results of the two pipelines must line up.
void check_same_shapes(const std::vector<const ir::Value*>& before, const std::vector<const ir::Value*>& after,
                       const std::string& what, const CompileRequest& r) {
  if (before.size() != after.size())
    throw error_at(r.model, "the pipeline '" + r.pipeline + "' gives the graph " + std::to_string(after.size()) + " " +
                                what + "s, not " + std::to_string(before.size()));
  for (size_t i = 0; i < before.size(); ++i) {
    const ir::Type& t = after[i]->type();
    if (t.dims != before[i]->type().dims)
      throw error_at(r.model, "the pipeline '" + r.pipeline + "' made " + what + " %" + before[i]->name() + " " +
                                  t.str() + ", not " + before[i]->type().str());
    if (!host_convertible(t.dtype))
      throw error_at(r.model, what + " %" + before[i]->name() + " is " + t.str() + " after the pipeline '" +
                                  r.pipeline + "': lmc exec reads and writes f32, f16, bf16, q8_0 and i32 values only");
  }
}

std::vector<const ir::Value*> args_of(const ir::Graph& g) {
  std::vector<const ir::Value*> out;
  for (const auto& a : g.args()) out.push_back(a.get());
  return out;
}

std::vector<const ir::Value*> outputs_of(const ir::Graph& g) { return {g.outputs().begin(), g.outputs().end()}; }

// `source` compiled with `r`, its arguments and results as they were.
LoadedModel compile_checked(const CompileRequest& r, const ir::Graph& source) {
  LoadedModel m = load_compiled(compile(r), r.model);
  check_same_shapes(args_of(source), args_of(*m.graph), "argument", r);
  check_same_shapes(outputs_of(source), outputs_of(*m.graph), "result", r);
  return m;
}

}  // namespace

GraphProgram::GraphProgram(const CompileRequest& r, const ir::Graph& source, const std::vector<HostArray>& arguments,
                           const runtime::SymbolValues& syms, int threads)
    : GraphProgram(compile_checked(r, source), arguments, syms, threads) {}

GraphProgram::GraphProgram(LoadedModel model, const std::vector<HostArray>& arguments,
                           const runtime::SymbolValues& syms, int threads)
    : model_(std::move(model)), syms_(syms) {
  const ir::Graph& g = *model_.graph;
  runner_ = std::make_unique<runtime::GraphRunner>(g, model_.kernels, *model_.weights, syms, threads);
  for (size_t i = 0; i < arguments.size(); ++i) store_array(arguments[i], g.args()[i]->type(), runner_->argument(i));
}

void GraphProgram::store_argument(size_t i, const HostArray& a) {
  store_array(a, model_.graph->args().at(i)->type(), runner_->argument(i));
}

GraphRun GraphProgram::results() const {
  const ir::Graph& g = *model_.graph;
  GraphRun run;
  for (size_t i = 0; i < g.outputs().size(); ++i)
    run.results.push_back(load_array(runner_->output(i), g.outputs()[i]->type(), syms_.data()));
  for (const auto& op : g.ops())
    if (ir::is_role(*op, ir::OpRole::Weight)) run.weight_dtypes.insert(ir::panel_base(op->result()->type().dtype));
  return run;
}

GraphRun run_graph(const CompileRequest& r, const ir::Graph& source, const std::vector<HostArray>& arguments,
                   const runtime::SymbolValues& syms, int threads) {
  GraphProgram program(r, source, arguments, syms, threads);
  program.run();
  return program.results();
}

}  // namespace lmc::driver
