// One pipeline's run of a graph for lmc exec: the graph compiled as lmc compile compiles
// it (driver::compile: the pipeline, then the mandatory fold-weights,dce; the kernels),
// its kernels linked in and its params packed in memory (driver::load_compiled), run once
// by runtime::GraphRunner on the arguments given, each result read back as f32 (or i32).
// Two pipelines' runs of one graph on the same arguments compare value by value.
#pragma once
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "driver/compile.h"
#include "driver/host_array.h"
#include "driver/open_model.h"
#include "runtime/graph_runner.h"

namespace lmc::driver {

struct GraphRun {
  std::vector<HostArray> results;
  // The dtypes the compiled graph's kernels read weights in (panels as their blocks): two
  // pipelines that differ here round differently (a q8_0 weight also rounds the
  // activations it meets); fusions and layouts alone do not change it.
  std::set<ir::DType> weight_dtypes;
};

// One pipeline's compile of a graph, loaded, its arguments stored: run as often as wanted
// (lmc bench GRAPH.lir times it). `r.model` is the graph's file; `source` is that graph as
// read (before any pass), whose arguments `arguments` fill in order. Throws lmc::Error when
// the pipeline changed the shape of an argument or result, as well as for whatever
// compiling and running refuse.
class GraphProgram {
 public:
  GraphProgram(const CompileRequest& r, const ir::Graph& source, const std::vector<HostArray>& arguments,
               const runtime::SymbolValues& syms, int threads);
  // A model compiled or opened already (driver/open_model.h), `arguments` the first of its
  // graph's in order (the rest stay as the runner zeroed them, for store_argument).
  GraphProgram(LoadedModel model, const std::vector<HostArray>& arguments, const runtime::SymbolValues& syms,
               int threads);
  GraphProgram(const GraphProgram&) = delete;  // the runner holds the model's parts
  GraphProgram& operator=(const GraphProgram&) = delete;
  void run() { runner_->run(); }
  // Replaces argument i's values (of its type's bound shape) before the next run.
  void store_argument(size_t i, const HostArray& a);
  // The results of the last run.
  GraphRun results() const;

 private:
  LoadedModel model_;
  runtime::SymbolValues syms_;
  std::unique_ptr<runtime::GraphRunner> runner_;
};

// One run of the graph compiled with `r`.
GraphRun run_graph(const CompileRequest& r, const ir::Graph& source, const std::vector<HostArray>& arguments,
                   const runtime::SymbolValues& syms, int threads);

}  // namespace lmc::driver
