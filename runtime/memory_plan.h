// One arena for every intermediate value of a graph, planned from liveness in
// execution order at the largest step (T = step_tokens, L = logit_rows). Values whose live
// intervals overlap never share bytes; placement is greedy by size (largest first,
// lowest offset that fits), each value 64-byte aligned.
//
// The executor runs independent branches concurrently, so a sequential interval is
// not the whole story: two values of parallel branches may be live at the same time
// even when their intervals in `order` are disjoint. By default such values do not
// share bytes either (a value reuses another's bytes only when the data dependencies
// already order all of the old value's readers before the new value's producer), so
// sharing never costs concurrency. With `share_across_branches` they may share, and
// reuse_edges() lists the ordering edges the executor must then add.
// Not planned: params (mapped weights), graph arguments (runtime-owned), kv_write
// results (they alias their cache) and reshape results (they alias their operand).
#pragma once
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "ir/graph.h"

namespace lmc::runtime {

struct PlannedValue {
  const ir::Value* value = nullptr;
  uint64_t offset = 0;
  uint64_t bytes = 0;
  int first = 0;  // index in the order of the op defining it
  int last = 0;   // index of its last reader (through reshape views), or the end for graph outputs
  std::vector<const ir::Op*> readers;  // ops reading it directly or through reshape views
};

struct MemoryPlan {
  std::vector<const ir::Op*> order;    // execution order the liveness was computed in
  std::vector<PlannedValue> values;    // in order of definition
  std::map<const ir::Value*, size_t> index;  // value -> position in `values`
  uint64_t arena_bytes = 0;

  // Offset of the planned value whose bytes `v` uses (itself, or what a reshape
  // views), or -1 when those bytes are not in the arena.
  int64_t offset_of(const ir::Value* v) const;

  // (before, after) pairs of ops that the data dependencies alone do not order but
  // the shared bytes require: when value v reuses bytes of an earlier value u, v's
  // producer runs after u's producer and after every reader of u.
  std::vector<std::pair<const ir::Op*, const ir::Op*>> reuse_edges() const;
};

// The value whose buffer `v` uses: through reshape (a view of its operand) and
// kv_write (its result is the cache it updated in place) to the value that owns bytes.
const ir::Value* storage_root(const ir::Value* v);

// `order` must list every op of the graph with producers before readers
// (ir::topological_order gives one). logit_rows = 0 plans for L = step_tokens; `context`
// is C, for values shaped by it (a graph computing on a cache).
MemoryPlan plan_memory(const ir::Graph& g, const std::vector<const ir::Op*>& order, int64_t step_tokens,
                       bool share_across_branches = false, int64_t logit_rows = 0, int64_t context = 0);

}  // namespace lmc::runtime
