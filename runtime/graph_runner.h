// Runs any graph on values its caller gives: every argument is a buffer the caller fills,
// every result can be read after a run. `lmc exec` runs IR text through it, so that a pass
// can show from a .lir alone that it keeps the numbers. The model's executor
// (runtime/executor.h) feeds tokens, positions, seq and the KV caches itself and returns
// logits, for many steps of varying T; a graph run is one shape, the symbols' values fixed
// at construction, so its arena is planned for exactly them. Both run the kernels through
// one flow graph (runtime/kernel_graph.h) and check the row ids the kernels trust
// (runtime/step_rows.h) before every run.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "ir/graph.h"
#include "runtime/artifact/weight_provider.h"
#include "runtime/kernel_table.h"

namespace lmc::runtime {

// The values of the symbols T, L and C, indexed by ir::Sym.
using SymbolValues = std::array<int64_t, ir::kNumSyms>;

class GraphRunner {
 public:
  // Throws lmc::Error when a symbol's value is not positive or L exceeds T, an i32 argument
  // is not one of the row ids (tokens, positions, seq: i32[T]), the graph has a cycle or
  // collectives, or an op has no kernel in `kernels`. `g`, `kernels` and `weights` must
  // outlive the runner; threads = 0: default_threads().
  GraphRunner(const ir::Graph& g, const KernelTable& kernels, const WeightProvider& weights, const SymbolValues& syms,
              int threads = 0);
  ~GraphRunner();
  GraphRunner(const GraphRunner&) = delete;
  GraphRunner& operator=(const GraphRunner&) = delete;

  // Argument i's buffer, its type's bytes at the symbols' values, zeroed at construction.
  // A KV cache argument is one sequence's cache, which a run's kv_write updates in place.
  void* argument(size_t i);
  // One evaluation. Throws lmc::Error "runtime: error: row <t>: ..." when the ids in tokens,
  // positions or seq are out of what the kernels may take (a token past its table, a
  // position past C, a sequence other than 0, a sequence's positions not consecutive).
  void run();
  // Output i's bytes (its type at the symbols' values), valid until the next run.
  const void* output(size_t i) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lmc::runtime
