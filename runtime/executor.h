// Runs a model's graph a step at a time: its kernels as a flow graph built once
// (runtime/kernel_graph.h, with the ordering edges the memory plan's byte reuse needs
// with compact_arena), fed the step's rows (tokens, positions, seq, key_ends), returning the
// logits. Buffers: one arena planned for the largest step for intermediates, the KV cache for
// cache arguments, mapped weights for params, and for each f32[T, n] argument (gemma3.yaml's
// image rows) rows that are zero unless given for a step (give_rows). A graph with other
// arguments or results runs through runtime/graph_runner.h instead.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "ir/graph.h"
#include "ir/model_info.h"
#include "runtime/artifact/weight_provider.h"
#include "runtime/collectives.h"
#include "runtime/kernel_table.h"
#include "runtime/kv_cache.h"
#include "runtime/profiler.h"
#include "runtime/step_rows.h"

namespace lmc::runtime {

struct ExecutorOptions {
  int threads = 0;       // 0: default_threads()
  bool profile = false;  // record per-kernel timings into profiler()
  // Let values of independent branches share arena bytes: a smaller arena, but the
  // branches are then ordered one after the other (see runtime/memory_plan.h).
  bool compact_arena = false;
  // Most logits rows one step may return (L). The logits of a large vocabulary are
  // the biggest intermediate (262144 floats a row for Gemma 3), so by default the
  // arena holds one row; a caller wanting every prompt row's logits raises it (up
  // to step_tokens).
  int64_t max_logit_rows = 1;
  // Sequences whose rows may share a step (KV-cache slots): each has its own cache,
  // so the KV memory grows with it.
  int64_t sequences = 1;
  // The sequences share one pool of KV pages for the context's positions in all
  // (llama-server's --kv-unified; runtime/kv_page_pool.h), each up to the whole context,
  // instead of a context each. A step takes the pages its rows lack; the sequences'
  // scheduler gives them back (KvCache::pool).
  bool kv_unified = false;
  // This process's rank among those a sharded graph (the shard pass) is split over:
  // runs its all_reduce and all_gather ops. nullptr: the graph must have none.
  Collectives* collectives = nullptr;
};

// std::thread::hardware_concurrency() (at least 1).
int default_threads();

struct MemoryReport {
  uint64_t weight_bytes = 0;  // sum of the params' bytes
  uint64_t arena_bytes = 0;   // planned intermediates
  uint64_t kv_bytes = 0;      // KV caches
};

class Executor {
 public:
  // Throws lmc::Error when a kernel op has no kernel in `kernels`, a weight is
  // missing, or the graph has an argument the runtime cannot feed. `g`, `kernels`
  // and `weights` must outlive the executor.
  Executor(const ir::Graph& g, const KernelTable& kernels, const WeightProvider& weights, const ir::ModelInfo& info,
           ExecutorOptions opts = {});
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  // One graph evaluation over the rows; returns the logits rows [L, vocab()] (the
  // last L rows of the step), valid until the next step. Throws lmc::Error unless
  // 1 <= T <= step_tokens, 1 <= L <= min(T, max_logit_rows), every position is below
  // the context, every sequence below `sequences`, each sequence's rows hold
  // consecutive positions in order, every token indexes a row of the embedding
  // tables, and (kv_unified) the pool has the pages the rows lack.
  const float* step(const StepRows& rows, int64_t L);
  // Sequence 0, tokens[0..T) at positions pos..pos+T-1.
  const float* step(const int32_t* tokens, int64_t T, int64_t pos, int64_t L = 1);
  // The first T rows of f32[T, n] argument `name` for the next step only (zero otherwise);
  // throws lmc::Error when the graph has no such argument or T does not fit a step.
  void give_rows(const std::string& name, const float* values, int64_t T);
  int64_t rows_width(const std::string& name) const;  // n of f32[T, n] argument `name`; 0: none
  void reset();  // zeroes the KV caches of every sequence
  // The KV caches, whose sequences' rows a snapshot saves and restores between steps.
  KvCache& kv_cache();

  int64_t vocab() const;
  int64_t max_logit_rows() const;
  int threads() const;
  int64_t sequences() const;
  // How many positions a sequence may go back over (KvCache::rollback_limit).
  int64_t rollback_limit() const;
  const ir::ModelInfo& info() const;
  MemoryReport memory() const;
  Profiler* profiler();  // nullptr unless ExecutorOptions::profile

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lmc::runtime
