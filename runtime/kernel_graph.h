// A graph's kernel calls as a tbb::flow::graph, built once: one node per op that runs a
// kernel (or a collective), edges from the data dependencies plus the ordering edges the
// memory plan's byte reuse needs, run inside a tbb::task_arena of `threads` so that
// independent branches run concurrently; a node splits its work items with
// tbb::parallel_for at the kernel's grain (one direct call when the items fit in one grain).
// The model's executor (runtime/executor.h) and a graph run (runtime/graph_runner.h) each
// say where the values' bytes are and bind the symbols; this is what they share. The
// arena's threads are started at construction.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>

#include "ir/graph.h"
#include "runtime/artifact/weight_provider.h"
#include "runtime/collectives.h"
#include "runtime/kernel_table.h"
#include "runtime/memory_plan.h"
#include "runtime/profiler.h"

namespace lmc::runtime {

// Where a value's bytes are, for the kernels' arguments.
using BufferOf = std::function<void*(const ir::Value*)>;

// The bytes of `root` (a storage_root) when an op defines it: a param's packed tensor, else
// its place in the planned arena.
void* defined_buffer(const ir::Value* root, const MemoryPlan& plan, std::byte* arena, const WeightProvider& weights);

struct KernelGraphOptions {
  int threads = 1;
  bool profile = false;  // record per-kernel timings into profiler()
  // This process's rank among those a sharded graph is split over: runs its all_reduce
  // and all_gather ops. nullptr: the graph must have none.
  Collectives* collectives = nullptr;
  // The symbols' values at the largest run (T, L, C): what a collective exchanges at most.
  int64_t largest[ir::kNumSyms] = {1, 1, 1};
  // The KV page table and the window page table, which every kernel gets after its
  // results (codegen/kernel_abi.h).
  int32_t* kv_pages = nullptr;
  int32_t* kv_window_pages = nullptr;
};

class KernelGraph {
 public:
  // Nodes in `plan.order`; `buffer_of` is asked once per operand and result here, never
  // while running. Throws lmc::Error when an op has no kernel in `kernels`, or the graph is
  // split over another number of ranks than `o.collectives` holds.
  KernelGraph(const MemoryPlan& plan, const KernelTable& kernels, const BufferOf& buffer_of,
              const KernelGraphOptions& o);
  ~KernelGraph();
  KernelGraph(const KernelGraph&) = delete;
  KernelGraph& operator=(const KernelGraph&) = delete;

  // Runs every node once, the kernels reading the symbols' values `syms` (T, L, C).
  void run(const int64_t* syms);
  int threads() const;
  Profiler* profiler();  // nullptr unless KernelGraphOptions::profile

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lmc::runtime
