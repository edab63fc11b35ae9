#include "runtime/kernel_graph.h"

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/flow_graph.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <map>

#include "codegen/describe_op.h"
#include "ir/op_registry.h"
#include "runtime/op_ancestry.h"
#include "support/error.h"

namespace lmc::runtime {

namespace flow = tbb::flow;

namespace {

struct Node {
  const ir::Op* op;
  const KernelTable::Entry* kernel;  // nullptr for a collective
  std::vector<void*> args;  // operand buffers, result buffers, the KV page table
  std::vector<int> preds;   // nodes that must finish first
};

bool is_collective(const ir::Op& op) { return ir::is_role(op, ir::OpRole::Collective); }

// The value a chain of reshapes views.
const ir::Value* viewed(const ir::Value* v) {
  while (v->def() && ir::is_pure_view(*v->def())) v = v->def()->operand(0);
  return v;
}

// The kernel op whose run makes `v` ready, or nullptr for params and graph
// arguments, which are ready before the run.
const ir::Op* producer(const ir::Value* v) {
  v = viewed(v);
  return v->def() && (codegen::needs_kernel(*v->def()) || is_collective(*v->def())) ? v->def() : nullptr;
}

}  // namespace

void* defined_buffer(const ir::Value* root, const MemoryPlan& plan, std::byte* arena, const WeightProvider& weights) {
  const ir::Op& def = *root->def();
  if (ir::is_role(def, ir::OpRole::Weight)) return const_cast<void*>(weights.get(def.attr_str("name")));
  return arena + plan.offset_of(root);
}

struct KernelGraph::Impl {
  int threads;
  Collectives* collectives;
  int32_t* kv_pages;
  int32_t* kv_window_pages;
  int64_t largest[ir::kNumSyms];
  int64_t syms[ir::kNumSyms] = {1, 1, 1};
  std::vector<Node> nodes;
  std::vector<float> gathered;  // every rank's part of a collective's operand
  std::unique_ptr<Profiler> profiler;
  tbb::task_arena task_arena;
  std::unique_ptr<flow::graph> fg;
  std::unique_ptr<flow::broadcast_node<flow::continue_msg>> start;
  std::vector<std::unique_ptr<flow::continue_node<flow::continue_msg>>> flow_nodes;

  explicit Impl(const KernelGraphOptions& o)
      : threads(o.threads),
        collectives(o.collectives),
        kv_pages(o.kv_pages),
        kv_window_pages(o.kv_window_pages),
        task_arena(o.threads) {
    std::copy(o.largest, o.largest + ir::kNumSyms, largest);
  }

  // The op's kernel, or nullptr for a collective, which this process's rank runs.
  const KernelTable::Entry* runner(const ir::Op& op, const KernelTable& kernels) {
    if (is_collective(op)) {
      int64_t ranks = op.attr_int("ranks");
      if (!collectives || collectives->ranks() != ranks)
        throw error_at(op.where(), "the graph is split over " + std::to_string(ranks) + " ranks, but this process " +
                                       (collectives ? "is one of " + std::to_string(collectives->ranks())
                                                    : std::string("runs alone")) +
                                       " (run it under mpirun -np " + std::to_string(ranks) + ")");
      uint64_t need =
          static_cast<uint64_t>(op.operand(0)->type().bytes(largest)) * static_cast<uint64_t>(ranks) / sizeof(float);
      if (gathered.size() < need) gathered.resize(need);
      return nullptr;
    }
    std::string key = codegen::describe(op).key();
    auto it = kernels.entries.find(key);
    if (it == kernels.entries.end()) throw error_at(op.where(), "no kernel was built for " + key);
    return &it->second;
  }

  void build_nodes(const MemoryPlan& plan, const KernelTable& kernels, const BufferOf& buffer_of) {
    std::map<const ir::Op*, int> node_of;
    int last_collective = -1;
    for (const ir::Op* op : plan.order) {
      if (!codegen::needs_kernel(*op) && !is_collective(*op)) continue;
      Node n{op, runner(*op, kernels), {}, {}};
      for (const ir::Value* v : op->operands()) {
        n.args.push_back(buffer_of(v));
        if (const ir::Op* p = producer(v)) n.preds.push_back(node_of.at(p));
      }
      for (size_t r = 0; r < op->num_results(); ++r) n.args.push_back(buffer_of(op->result(r)));
      n.args.push_back(kv_pages);
      n.args.push_back(kv_window_pages);
      // Every rank must enter the collectives in the same order: chain them.
      if (!n.kernel && last_collective >= 0) n.preds.push_back(last_collective);
      if (!n.kernel) last_collective = static_cast<int>(nodes.size());
      node_of[op] = static_cast<int>(nodes.size());
      nodes.push_back(std::move(n));
    }
    add_ordering_edges(plan, node_of);
  }

  // Edges the data dependencies do not give: a value reusing another's bytes is
  // written only after the old value's readers are done; a cache read directly (not
  // through its kv_write) is read before the kv_write overwrites it.
  void add_ordering_edges(const MemoryPlan& plan, const std::map<const ir::Op*, int>& node_of) {
    std::vector<std::pair<const ir::Op*, const ir::Op*>> edges = plan.reuse_edges();
    for (const Node& w : nodes)
      if (ir::writes_in_place(*w.op))
        for (const Node& r : nodes)
          if (&r != &w)
            for (const ir::Value* v : r.op->operands())
              if (viewed(v) == viewed(w.op->operand(0))) edges.push_back({r.op, w.op});
    OpAncestry data(plan.order);
    for (const auto& [before, after] : edges) {
      auto b = node_of.find(before), a = node_of.find(after);
      if (b == node_of.end() || a == node_of.end() || data.precedes(before, after)) continue;
      auto& preds = nodes[a->second].preds;
      if (std::find(preds.begin(), preds.end(), b->second) == preds.end()) preds.push_back(b->second);
    }
  }

  void start_profiler() {
    std::vector<const ir::Op*> ops;
    std::vector<std::string> symbols;
    for (const Node& n : nodes) {
      ops.push_back(n.op);
      symbols.push_back(n.kernel ? n.kernel->symbol : n.op->kind());
    }
    profiler = std::make_unique<Profiler>(Profiler::classify(ops, symbols), threads);
  }

  void run_items(int index, int64_t begin, int64_t end) {
    const Node& n = nodes[index];
    if (!profiler) {
      n.kernel->fn(n.args.data(), syms, begin, end);
      return;
    }
    int64_t t0 = profiler->now_ns();
    n.kernel->fn(n.args.data(), syms, begin, end);
    profiler->record_chunk(index, t0, profiler->now_ns(), tbb::this_task_arena::current_thread_index(), begin, end);
  }

  // all_reduce: every rank's part, summed in rank order, so that every rank gets the
  // same bits (and samples the same tokens). all_gather: each rank's columns side by side.
  void run_collective(const Node& n) {
    const ir::Type& t = n.op->operand(0)->type();
    const int64_t bytes = t.bytes(syms), count = bytes / static_cast<int64_t>(sizeof(float));
    const int64_t ranks = collectives->ranks();
    collectives->all_gather(n.args[0], gathered.data(), static_cast<size_t>(bytes));
    auto* out = static_cast<float*>(n.args[1]);
    if (ir::traits(*n.op).sums_ranks) {
      std::copy(gathered.begin(), gathered.begin() + count, out);
      for (int64_t r = 1; r < ranks; ++r)
        for (int64_t i = 0; i < count; ++i) out[i] += gathered[static_cast<size_t>(r * count + i)];
      return;
    }
    const int64_t cols = t.dims[1].value, rows = count / cols;
    for (int64_t r = 0; r < ranks; ++r)
      for (int64_t row = 0; row < rows; ++row)
        std::copy_n(gathered.begin() + r * count + row * cols, cols, out + row * cols * ranks + r * cols);
  }

  void run_node(int index) {
    int64_t t0 = profiler ? profiler->now_ns() : 0;
    if (!nodes[index].kernel) {
      run_collective(nodes[index]);
      if (profiler) profiler->record_node(index, t0, profiler->now_ns(), tbb::this_task_arena::current_thread_index());
      return;
    }
    const codegen::KernelInfo& k = nodes[index].kernel->info;
    int64_t items = k.items(syms), grain = k.grain_for(syms, threads);
    if (threads == 1 || items <= grain) {
      run_items(index, 0, items);
    } else {
      auto run = [&](const tbb::blocked_range<int64_t>& r) { run_items(index, r.begin(), r.end()); };
      // Rows (or a tile GEMM's columns) are split into exactly one even share per thread:
      // each share sets itself up once.
      if (k.even_shares(syms))
        tbb::parallel_for(tbb::blocked_range<int64_t>(0, items, grain), run, tbb::simple_partitioner());
      else
        tbb::parallel_for(tbb::blocked_range<int64_t>(0, items, grain), run);
    }
    if (profiler) profiler->record_node(index, t0, profiler->now_ns(), tbb::this_task_arena::current_thread_index());
  }

  // Built inside the arena so that the flow graph's tasks run on its threads.
  void build_flow_graph() {
    fg = std::make_unique<flow::graph>();
    start = std::make_unique<flow::broadcast_node<flow::continue_msg>>(*fg);
    for (size_t i = 0; i < nodes.size(); ++i)
      flow_nodes.push_back(std::make_unique<flow::continue_node<flow::continue_msg>>(
          *fg, [this, i](const flow::continue_msg&) { run_node(static_cast<int>(i)); }));
    for (size_t i = 0; i < nodes.size(); ++i) {
      if (nodes[i].preds.empty()) flow::make_edge(*start, *flow_nodes[i]);
      for (int p : nodes[i].preds) flow::make_edge(*flow_nodes[p], *flow_nodes[i]);
    }
  }

  // Starts the arena's worker threads now, so the first run does not pay for it.
  void warm_up() {
    tbb::parallel_for(tbb::blocked_range<int>(0, threads * 64, 1), [](const tbb::blocked_range<int>& r) {
      volatile double x = 0;
      for (int i = r.begin(); i < r.end(); ++i)
        for (int j = 0; j < 10000; ++j) x = x + j;
    });
  }
};

KernelGraph::KernelGraph(const MemoryPlan& plan, const KernelTable& kernels, const BufferOf& buffer_of,
                         const KernelGraphOptions& o)
    : impl_(std::make_unique<Impl>(o)) {
  Impl& x = *impl_;
  x.build_nodes(plan, kernels, buffer_of);
  if (o.profile) x.start_profiler();
  x.task_arena.execute([&] {
    x.build_flow_graph();
    x.warm_up();
  });
}

// Impl's members go in reverse order: flow nodes before the graph they belong to.
KernelGraph::~KernelGraph() = default;

void KernelGraph::run(const int64_t* syms) {
  Impl& x = *impl_;
  std::copy(syms, syms + ir::kNumSyms, x.syms);
  x.task_arena.execute([&] {
    x.start->try_put(flow::continue_msg());
    x.fg->wait_for_all();
  });
}

int KernelGraph::threads() const { return impl_->threads; }
Profiler* KernelGraph::profiler() { return impl_->profiler.get(); }

}  // namespace lmc::runtime
