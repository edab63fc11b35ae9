// Per-step timings of every kernel, and the reports built from them: the seeds'
// per-step table (Embedding | Layers | Norm | Projection | Total), per-layer
// Attention / FFN, the steady-state summary, per-kernel trace lines and Chrome
// trace events. The executor records into it only when profiling is on.
//
// Classification of a kernel op: it belongs to layer i when its first result's
// name ends with "_<i>" (ignoring a ".n" uniquing suffix: the lowering names block
// values "q_3", "x_17"); ops before the first layer op are Embedding; after the
// last layer op the last linear is Projection and the rest Norm. Within a layer,
// ops up to and including the first `add` (the attention residual) are Attention,
// the rest FFN. A component's time is its wall-clock span in the step (first
// start to last end), so concurrent kernels are not counted twice.
#pragma once
#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace lmc::runtime {

enum class Component { Embedding, Layers, Norm, Projection };
enum class LayerPart { None, Attention, Ffn };

struct ProfiledNode {
  const ir::Op* op = nullptr;
  std::string symbol;  // kernel symbol
  Component component = Component::Embedding;
  int layer = -1;      // for Component::Layers
  LayerPart part = LayerPart::None;
};

struct NodeRun {
  int64_t start_ns = 0, end_ns = 0;  // steady clock, since the profiler's epoch
  int thread = -1;                   // arena slot of the thread that ran the node body
};

struct ChunkRun {
  int node = 0;
  int64_t start_ns = 0, end_ns = 0;
  int thread = 0;
  int64_t begin = 0, end = 0;  // work items
};

struct StepRecord {
  int64_t T = 0, L = 0, pos = 0;
  int64_t start_ns = 0, end_ns = 0;
  std::vector<NodeRun> nodes;    // indexed like Profiler::nodes()
  std::vector<ChunkRun> chunks;  // every kernel call, on every thread (first kChunkSteps steps)
};

class Profiler {
 public:
  Profiler(std::vector<ProfiledNode> nodes, int threads);

  // Classifies kernel ops as described above; `symbols` parallel to `ops`.
  static std::vector<ProfiledNode> classify(const std::vector<const ir::Op*>& ops,
                                            const std::vector<std::string>& symbols);

  const std::vector<ProfiledNode>& nodes() const { return nodes_; }
  const std::vector<StepRecord>& steps() const { return steps_; }
  void clear() { steps_.clear(); }

  // Recording, called by the executor. Node and chunk slots are written by one
  // thread each (a node runs once per step; chunks go to the recording thread's
  // own list), so recording takes no lock.
  int64_t now_ns() const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - epoch_).count();
  }
  void begin_step(int64_t T, int64_t L, int64_t pos);
  void record_node(int node, int64_t start_ns, int64_t end_ns, int thread);
  void record_chunk(int node, int64_t start_ns, int64_t end_ns, int thread, int64_t begin, int64_t end);
  void end_step();

  // Reports over every recorded step.
  void print_step_table(std::ostream& os) const;
  void print_layer_table(std::ostream& os) const;
  // Steady state = the decode steps (T = 1); min / median / max per component, jitter = max/min.
  void print_steady_state(std::ostream& os) const;
  // "[TRACE] <op> %<value> <symbol> [dims]x[dims] 1.234 ms (5.6 GB/s)" per kernel of step `step`.
  void print_trace(std::ostream& os, size_t step) const;
  // Chrome trace events (ph "X", ts/dur in µs, tid = arena thread slot) for every
  // chunk of the first kChunkSteps steps, and one event per step.
  void write_chrome_trace(std::ostream& os) const;

  // Chunks (thousands per step on a real model) are kept for this many steps, so a
  // long generation does not grow without bound; node timings are kept for all.
  static constexpr size_t kChunkSteps = 256;

 private:
  std::vector<ProfiledNode> nodes_;
  std::chrono::steady_clock::time_point epoch_ = std::chrono::steady_clock::now();
  std::vector<StepRecord> steps_;
  StepRecord current_;
  std::vector<std::vector<ChunkRun>> chunks_by_thread_;
};

}  // namespace lmc::runtime
