#include "runtime/executor.h"

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/flow_graph.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <thread>

#include "codegen/describe_op.h"
#include "ir/error.h"
#include "ir/graph_view.h"
#include "ir/op_registry.h"
#include "runtime/aligned_buffer.h"
#include "runtime/kv_cache.h"
#include "runtime/memory_plan.h"
#include "runtime/op_ancestry.h"

namespace lmc::runtime {

namespace flow = tbb::flow;

int default_threads() { return std::max(1u, std::thread::hardware_concurrency()); }

namespace {

struct Node {
  const ir::Op* op;
  const KernelTable::Entry* kernel;  // nullptr for a collective
  std::vector<void*> args;  // operand buffers, then result buffers
  std::vector<int> preds;   // nodes that must finish first
};

bool is_collective(const ir::Op& op) { return ir::is_role(op, ir::OpRole::Collective); }

// The value a chain of reshapes views.
const ir::Value* viewed(const ir::Value* v) {
  while (v->def() && ir::is_pure_view(*v->def())) v = v->def()->operand(0);
  return v;
}

// The kernel op whose run makes `v` ready, or nullptr for params and graph
// arguments, which are ready before the step.
const ir::Op* producer(const ir::Value* v) {
  v = viewed(v);
  return v->def() && (codegen::needs_kernel(*v->def()) || is_collective(*v->def())) ? v->def() : nullptr;
}

// The value of the enclosing graph that `v`, read by an op `op` runs, stands for: a
// fusion's body argument is the fusion's operand.
const ir::Value* outer_value(const ir::Op& op, const ir::Value* v) {
  if (op.body() && !v->def()) return op.operand(static_cast<size_t>(v->index()));
  return v;
}

// info.context sizes the caches (the symbol C): the model's default or the one chosen at
// run time. Shorter than a prefill chunk is fine, as a step's rows must fit it anyway.
const ir::ModelInfo& checked_info(const ir::Graph& g, const ir::ModelInfo& info) {
  if (info.step_tokens <= 0 || info.context <= 0)
    throw error_at(g.name(), "model info needs a positive context and step_tokens");
  return info;
}

}  // namespace

struct Executor::Impl {
  const ir::Graph& g;
  const KernelTable& kernels;
  const WeightProvider& weights;
  ir::ModelInfo info;
  int threads;
  int64_t max_logit_rows;
  MemoryPlan plan;
  AlignedBuffer arena;
  KvCache kv;
  AlignedBuffer tokens, positions, seqs;
  std::vector<int32_t> next_position;  // per sequence, while a step's rows are checked
  std::vector<int32_t> run_positions, run_seqs;  // step(tokens, T, pos): a run of sequence 0
  std::vector<Node> nodes;
  int64_t syms[ir::kNumSyms] = {1, 1, 1};
  const float* logits = nullptr;
  int64_t vocab = 0;
  int64_t token_limit = INT32_MAX;  // rows of the smallest table the tokens index
  Collectives* collectives;
  std::vector<float> gathered;  // every rank's part of a collective's operand
  std::unique_ptr<Profiler> profiler;
  tbb::task_arena task_arena;
  std::unique_ptr<flow::graph> fg;
  std::unique_ptr<flow::broadcast_node<flow::continue_msg>> start;
  std::vector<std::unique_ptr<flow::continue_node<flow::continue_msg>>> flow_nodes;

  Impl(const ir::Graph& g_, const KernelTable& k, const WeightProvider& w, const ir::ModelInfo& i, int t,
       int64_t logit_rows, int64_t sequences, Collectives* c)
      : g(g_), kernels(k), weights(w), info(i), threads(t), max_logit_rows(logit_rows), kv(g_, i.context, sequences),
        next_position(static_cast<size_t>(sequences)), collectives(c), task_arena(t) {
    syms[static_cast<int>(ir::Sym::C)] = info.context;
  }

  void* buffer(const ir::Value* v) {
    const ir::Value* root = storage_root(v);
    if (const ir::Op* def = root->def()) {
      if (ir::is_role(*def, ir::OpRole::Weight)) return const_cast<void*>(weights.get(def->attr_str("name")));
      return arena.data() + plan.offset_of(root);
    }
    const std::string& name = root->name();
    if (name == "tokens") return tokens.data();
    if (name == "positions") return positions.data();
    if (name == "seq") return seqs.data();
    if (void* cache = kv.find(root)) return cache;
    throw error_at(g.name(), "graph argument '%" + name + "' is neither tokens, positions, seq nor a KV cache");
  }

  void check_args() {
    for (const auto& a : g.args()) {
      const std::string& n = a->name();
      bool row_ids = n == "tokens" || n == "positions" || n == "seq";
      if (row_ids && !(a->type() == ir::Type{ir::DType::i32, {ir::Dim::symbolic(ir::Sym::T)}}))
        throw error_at(g.name(), "graph argument '%" + n + "' must be i32[T], not " + a->type().str());
    }
    if (g.outputs().empty()) throw error_at(g.name(), "graph has no outputs (the logits come first)");
    const ir::Type& t = g.outputs()[0]->type();
    if (t.dtype != ir::DType::f32 || t.rank() != 2 || !t.dims[1].is_static())
      throw error_at(g.name(), "first output must be the logits f32[L, V], not " + t.str());
    vocab = t.dims[1].value;
    for (const auto& op : g.ops())
      for (const ir::Op* inner : ir::ops_run_by(*op)) {
        if (!ir::traits(*inner).gathers_rows) continue;
        const ir::Value* ids = outer_value(*op, inner->operand(1));
        if (ids->name() == "tokens" && !ids->def())
          token_limit = std::min(token_limit, inner->has_attr("vocab") ? inner->attr_int("vocab")
                                                                       : inner->operand(0)->type().dims.at(0).value);
      }
  }

  // A collective's operand, for the largest step: the bytes every rank sends.
  int64_t largest_bytes(const ir::Value* v) const {
    int64_t most[ir::kNumSyms] = {syms[0], syms[1], syms[2]};
    most[static_cast<int>(ir::Sym::T)] = info.step_tokens;
    most[static_cast<int>(ir::Sym::L)] = max_logit_rows;
    return v->type().bytes(most);
  }

  // The op's kernel, or nullptr for a collective, which this process's rank runs.
  const KernelTable::Entry* runner(const ir::Op& op) {
    if (is_collective(op)) {
      int64_t ranks = op.attr_int("ranks");
      if (!collectives || collectives->ranks() != ranks)
        throw error_at(op.where(), "the graph is split over " + std::to_string(ranks) + " ranks, but this process " +
                                       (collectives ? "is one of " + std::to_string(collectives->ranks())
                                                    : std::string("runs alone")) +
                                       " (run it under mpirun -np " + std::to_string(ranks) + ")");
      uint64_t need = static_cast<uint64_t>(largest_bytes(op.operand(0))) * static_cast<uint64_t>(ranks) / sizeof(float);
      if (gathered.size() < need) gathered.resize(need);
      return nullptr;
    }
    std::string key = codegen::describe(op).key();
    auto it = kernels.entries.find(key);
    if (it == kernels.entries.end()) throw error_at(op.where(), "no kernel was built for " + key);
    return &it->second;
  }

  void build_nodes() {
    std::map<const ir::Op*, int> node_of;
    int last_collective = -1;
    for (const ir::Op* op : plan.order) {
      if (!codegen::needs_kernel(*op) && !is_collective(*op)) continue;
      Node n{op, runner(*op), {}, {}};
      for (const ir::Value* v : op->operands()) {
        n.args.push_back(buffer(v));
        if (const ir::Op* p = producer(v)) n.preds.push_back(node_of.at(p));
      }
      for (size_t r = 0; r < op->num_results(); ++r) n.args.push_back(buffer(op->result(r)));
      // Every rank must enter the collectives in the same order: chain them.
      if (!n.kernel && last_collective >= 0) n.preds.push_back(last_collective);
      if (!n.kernel) last_collective = static_cast<int>(nodes.size());
      node_of[op] = static_cast<int>(nodes.size());
      nodes.push_back(std::move(n));
    }
    add_ordering_edges(node_of);
  }

  // Edges the data dependencies do not give: a value reusing another's bytes is
  // written only after the old value's readers are done; a cache read directly (not
  // through its kv_write) is read before the kv_write overwrites it.
  void add_ordering_edges(const std::map<const ir::Op*, int>& node_of) {
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

  // Copies the rows into the argument buffers, checking what the kernels trust.
  void load_rows(const StepRows& rows) {
    auto* tok = reinterpret_cast<int32_t*>(tokens.data());
    auto* pos = reinterpret_cast<int32_t*>(positions.data());
    auto* seq = reinterpret_cast<int32_t*>(seqs.data());
    std::fill(next_position.begin(), next_position.end(), -1);
    for (int64_t t = 0; t < rows.T; ++t) {
      auto fail = [t](const std::string& what) {
        throw Error("runtime: error: row " + std::to_string(t) + ": " + what);
      };
      const int32_t s = rows.seqs[t], p = rows.positions[t];
      if (rows.tokens[t] < 0 || rows.tokens[t] >= token_limit)
        fail("token id " + std::to_string(rows.tokens[t]) + " is outside the embedding table of " +
             std::to_string(token_limit) + " rows");
      if (s < 0 || s >= kv.sequences())
        fail("sequence " + std::to_string(s) + " is not one of the " + std::to_string(kv.sequences()) +
             " sequence slots");
      if (p < 0 || p >= info.context)
        fail("position " + std::to_string(p) + " does not fit the context of " + std::to_string(info.context) +
             " tokens");
      int32_t& next = next_position[static_cast<size_t>(s)];
      if (next >= 0 && p != next)
        fail("position " + std::to_string(p) + " of sequence " + std::to_string(s) +
             " does not follow its previous row's (" + std::to_string(next - 1) + ")");
      next = p + 1;
      tok[t] = rows.tokens[t];
      pos[t] = rows.positions[t];
      seq[t] = rows.seqs[t];
    }
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
      // Rows are split into exactly one even share per thread: each share sets itself up once.
      if (k.splits_rows(syms))
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

  // Starts the arena's worker threads now, so the first step does not pay for it.
  void warm_up() {
    tbb::parallel_for(tbb::blocked_range<int>(0, threads * 64, 1), [](const tbb::blocked_range<int>& r) {
      volatile double x = 0;
      for (int i = r.begin(); i < r.end(); ++i)
        for (int j = 0; j < 10000; ++j) x = x + j;
    });
  }
};

Executor::Executor(const ir::Graph& g, const KernelTable& kernels, const WeightProvider& weights,
                   const ir::ModelInfo& info, ExecutorOptions opts)
    : impl_(std::make_unique<Impl>(g, kernels, weights, checked_info(g, info),
                                   opts.threads > 0 ? opts.threads : default_threads(),
                                   std::clamp<int64_t>(opts.max_logit_rows, 1, std::max<int64_t>(info.step_tokens, 1)),
                                   opts.sequences, opts.collectives)) {
  Impl& x = *impl_;
  x.check_args();
  ir::Op* cycle = nullptr;
  auto order = ir::topological_order(g, &cycle);
  if (!order) throw error_at(cycle ? cycle->where() : g.name(), "the graph has a cycle");
  x.plan = plan_memory(g, {order->begin(), order->end()}, x.info.step_tokens, opts.compact_arena, x.max_logit_rows);
  x.arena = AlignedBuffer(x.plan.arena_bytes);
  const uint64_t rows = static_cast<uint64_t>(x.info.step_tokens) * sizeof(int32_t);
  x.tokens = AlignedBuffer(rows);
  x.positions = AlignedBuffer(rows);
  x.seqs = AlignedBuffer(rows);
  x.build_nodes();
  x.logits = static_cast<const float*>(x.buffer(g.outputs()[0]));
  if (opts.profile) {
    std::vector<const ir::Op*> ops;
    std::vector<std::string> symbols;
    for (const Node& n : x.nodes) {
      ops.push_back(n.op);
      symbols.push_back(n.kernel ? n.kernel->symbol : n.op->kind());
    }
    x.profiler = std::make_unique<Profiler>(Profiler::classify(ops, symbols), x.threads);
  }
  x.task_arena.execute([&] {
    x.build_flow_graph();
    x.warm_up();
  });
}

// Impl's members go in reverse order: flow nodes before the graph they belong to.
Executor::~Executor() = default;

const float* Executor::step(const int32_t* tokens, int64_t T, int64_t pos, int64_t L) {
  if (pos < 0 || T < 0 || pos + T > impl_->info.context)
    throw Error("runtime: error: positions " + std::to_string(pos) + ".." + std::to_string(pos + T - 1) +
                " do not fit the context of " + std::to_string(impl_->info.context) + " tokens");
  // Reused between steps: a decode step allocates nothing.
  auto& positions = impl_->run_positions;
  positions.resize(static_cast<size_t>(T));
  for (int64_t t = 0; t < T; ++t) positions[static_cast<size_t>(t)] = static_cast<int32_t>(pos + t);
  impl_->run_seqs.resize(static_cast<size_t>(T), 0);
  return step(StepRows{tokens, positions.data(), impl_->run_seqs.data(), T}, L);
}

const float* Executor::step(const StepRows& rows, int64_t L) {
  Impl& x = *impl_;
  const int64_t T = rows.T;
  if (T < 1 || T > x.info.step_tokens || L < 1 || L > T || L > x.max_logit_rows)
    throw Error("runtime: error: a step takes 1 <= T <= " + std::to_string(x.info.step_tokens) +
                " rows and returns 1 <= L <= min(T, " + std::to_string(x.max_logit_rows) +
                ") logits rows (ExecutorOptions::max_logit_rows); got T = " + std::to_string(T) +
                ", L = " + std::to_string(L));
  x.load_rows(rows);
  x.syms[static_cast<int>(ir::Sym::T)] = T;
  x.syms[static_cast<int>(ir::Sym::L)] = L;
  if (x.profiler) x.profiler->begin_step(T, L, rows.positions[0]);
  x.task_arena.execute([&] {
    x.start->try_put(flow::continue_msg());
    x.fg->wait_for_all();
  });
  if (x.profiler) x.profiler->end_step();
  return x.logits;
}

void Executor::reset() { impl_->kv.reset(); }
int64_t Executor::vocab() const { return impl_->vocab; }
int64_t Executor::max_logit_rows() const { return impl_->max_logit_rows; }
int Executor::threads() const { return impl_->threads; }
int64_t Executor::sequences() const { return impl_->kv.sequences(); }
const ir::ModelInfo& Executor::info() const { return impl_->info; }
Profiler* Executor::profiler() { return impl_->profiler.get(); }

MemoryReport Executor::memory() const {
  MemoryReport r;
  for (const auto& op : impl_->g.ops())
    if (ir::is_role(*op, ir::OpRole::Weight)) r.weight_bytes += static_cast<uint64_t>(op->result(0)->type().bytes(nullptr));
  r.arena_bytes = impl_->plan.arena_bytes;
  r.kv_bytes = impl_->kv.bytes();
  return r;
}

}  // namespace lmc::runtime
