#include "runtime/executor.h"

#include <algorithm>
#include <map>
#include <string>
#include <thread>

#include "ir/graph_view.h"
#include "ir/op_registry.h"
#include "runtime/aligned_buffer.h"
#include "runtime/kernel_graph.h"
#include "runtime/kv_cache.h"
#include "runtime/memory_plan.h"
#include "support/cancellation.h"
#include "support/error.h"

namespace lmc::runtime {

int default_threads() { return std::max(1u, std::thread::hardware_concurrency()); }

namespace {

// info.context sizes the caches (the symbol C): the model's default or the one chosen at
// run time. Shorter than a prefill chunk is fine, as a step's rows must fit it anyway.
const ir::ModelInfo& checked_info(const ir::Graph& g, const ir::ModelInfo& info) {
  if (info.step_tokens <= 0 || info.context <= 0)
    throw error_at(g.name(), "model info needs a positive context and step_tokens");
  return info;
}

// An f32[T, width] argument that is neither row ids nor a KV cache: rows a caller may give
// for a step (an image's embeddings), zero unless given.
bool is_input_rows(const ir::Value& arg) {
  const ir::Type& t = arg.type();
  return !arg.def() && !is_row_ids(arg) && t.dtype == ir::DType::f32 && t.rank() == 2 &&
         t.dims[0] == ir::Dim::symbolic(ir::Sym::T) && t.dims[1].is_static();
}

// Rows given for one step: zeroed again after it.
struct InputRows {
  AlignedBuffer values;
  int64_t width = 0;
  int64_t given = 0;  // rows given for the next step
};

}  // namespace

struct Executor::Impl {
  const ir::Graph& g;
  const WeightProvider& weights;
  ir::ModelInfo info;
  int64_t max_logit_rows;
  MemoryPlan plan;
  AlignedBuffer arena;
  KvCache kv;
  AlignedBuffer tokens, positions, seqs, key_ends;
  std::map<std::string, InputRows> inputs;
  RowLimits limits;
  std::vector<int32_t> next_position;  // per sequence, while a step's rows are checked
  std::vector<int32_t> run_positions, run_seqs;  // step(tokens, T, pos): a run of sequence 0
  int64_t syms[ir::kNumSyms] = {1, 1, 1};
  const float* logits = nullptr;
  int64_t vocab = 0;
  std::unique_ptr<KernelGraph> kernels;

  Impl(const ir::Graph& g_, const WeightProvider& w, const ir::ModelInfo& i, int64_t logit_rows, int64_t sequences,
       bool unified)
      : g(g_),
        weights(w),
        info(i),
        max_logit_rows(logit_rows),
        kv(g_, i.context, sequences, unified, i.step_tokens),
        limits(row_limits(g_, i.context, sequences)) {
    syms[static_cast<int>(ir::Sym::C)] = info.context;
  }

  void* buffer(const ir::Value* v) {
    const ir::Value* root = storage_root(v);
    if (root->def()) return defined_buffer(root, plan, arena.data(), weights);
    const std::string& name = root->name();
    if (name == "tokens") return tokens.data();
    if (name == "positions") return positions.data();
    if (name == "seq") return seqs.data();
    if (name == "key_ends") return key_ends.data();
    if (void* cache = kv.find(root)) return cache;
    if (auto in = inputs.find(name); in != inputs.end()) return in->second.values.data();
    throw error_at(g.name(), "graph argument '%" + name + "' is neither row ids, f32[T, n] rows nor a KV cache");
  }

  void check_args() {
    check_row_arguments(g);
    if (g.outputs().empty()) throw error_at(g.name(), "graph has no outputs (the logits come first)");
    const ir::Type& t = g.outputs()[0]->type();
    if (t.dtype != ir::DType::f32 || t.rank() != 2 || !t.dims[1].is_static())
      throw error_at(g.name(), "first output must be the logits f32[L, V], not " + t.str());
    vocab = t.dims[1].value;
  }

  // Copies the rows into the argument buffers, once checked.
  void load_rows(const StepRows& rows) {
    check_rows(rows, limits, next_position);
    std::copy_n(rows.tokens, rows.T, reinterpret_cast<int32_t*>(tokens.data()));
    std::copy_n(rows.positions, rows.T, reinterpret_cast<int32_t*>(positions.data()));
    std::copy_n(rows.seqs, rows.T, reinterpret_cast<int32_t*>(seqs.data()));
    std::copy_n(rows.key_ends ? rows.key_ends : rows.positions, rows.T, reinterpret_cast<int32_t*>(key_ends.data()));
    if (KvPagePool* pool = kv.window_pool()) drop_behind_windows(*pool, rows);
    for (KvPagePool* pool : {kv.pool(), kv.window_pool()})
      if (pool) take_pages(*pool);
  }

  // A sequence's window pages before the window of its first row in the step are read no
  // more: it lets go of them (the prefix tree may hold them still).
  void drop_behind_windows(KvPagePool& pool, const StepRows& rows) const {
    std::vector<int64_t> first(next_position.size(), INT64_MAX);
    for (int64_t r = 0; r < rows.T; ++r) {
      int64_t& f = first[static_cast<size_t>(rows.seqs[r])];
      f = std::min<int64_t>(f, rows.positions[r]);
    }
    for (size_t s = 0; s < first.size(); ++s) {
      if (first[s] == INT64_MAX) continue;
      const auto seq = static_cast<int64_t>(s);
      const int64_t page = kv.window_first_page(first[s]);
      if (page < pool.first(seq))
        throw Error("runtime: error: sequence " + std::to_string(s) + " goes back to position " +
                    std::to_string(first[s]) + ", whose window's pages it let go of");
      pool.drop_before(seq, page);
    }
  }

  // The pages of the step's positions (check_rows left each sequence's end in
  // next_position), taken before any row is written: all of them or none.
  void take_pages(KvPagePool& pool) const {
    int64_t lacking = 0;
    for (size_t s = 0; s < next_position.size(); ++s)
      if (next_position[s] > 0) lacking += pool.lacking(static_cast<int64_t>(s), next_position[s]);
    if (lacking > pool.free_pages())
      throw Error("runtime: error: the step's rows need " + std::to_string(lacking) + " more KV pages; the pool has " +
                  std::to_string(pool.free_pages()) + " free of " + std::to_string(pool.pages()));
    for (size_t s = 0; s < next_position.size(); ++s)
      if (next_position[s] > 0) pool.grow(static_cast<int64_t>(s), next_position[s]);
  }
};

Executor::Executor(const ir::Graph& g, const KernelTable& kernels, const WeightProvider& weights,
                   const ir::ModelInfo& info, ExecutorOptions opts)
    : impl_(std::make_unique<Impl>(g, weights, checked_info(g, info),
                                   std::clamp<int64_t>(opts.max_logit_rows, 1, std::max<int64_t>(info.step_tokens, 1)),
                                   opts.sequences, opts.kv_unified)) {
  Impl& x = *impl_;
  x.check_args();
  ir::Op* cycle = nullptr;
  auto order = ir::topological_order(g, &cycle);
  if (!order) throw error_at(cycle ? cycle->where() : g.name(), "the graph has a cycle");
  x.plan = plan_memory(g, {order->begin(), order->end()}, x.info.step_tokens, opts.compact_arena, x.max_logit_rows,
                       x.info.context);
  x.arena = AlignedBuffer(x.plan.arena_bytes);
  const uint64_t rows = static_cast<uint64_t>(x.info.step_tokens) * sizeof(int32_t);
  x.tokens = AlignedBuffer(rows);
  x.positions = AlignedBuffer(rows);
  x.seqs = AlignedBuffer(rows);
  x.key_ends = AlignedBuffer(rows);
  for (const auto& a : g.args())
    if (is_input_rows(*a)) {
      InputRows& in = x.inputs[a->name()];
      in.width = a->type().dims[1].value;
      in.values = AlignedBuffer(static_cast<uint64_t>(x.info.step_tokens * in.width) * sizeof(float));
      std::fill_n(reinterpret_cast<float*>(in.values.data()), x.info.step_tokens * in.width, 0.0f);
    }
  KernelGraphOptions k;
  k.threads = opts.threads > 0 ? opts.threads : default_threads();
  k.profile = opts.profile;
  k.collectives = opts.collectives;
  k.largest[static_cast<int>(ir::Sym::T)] = x.info.step_tokens;
  k.largest[static_cast<int>(ir::Sym::L)] = x.max_logit_rows;
  k.largest[static_cast<int>(ir::Sym::C)] = x.info.context;
  k.kv_pages = x.kv.page_table().data();
  k.kv_window_pages = x.kv.window_page_table().data();
  x.kernels = std::make_unique<KernelGraph>(x.plan, kernels, [&x](const ir::Value* v) { return x.buffer(v); }, k);
  x.logits = static_cast<const float*>(x.buffer(g.outputs()[0]));
}

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
  // Rows given for this step are zeroed after it, whether it runs or throws.
  struct ClearGiven {
    Impl& x;
    ~ClearGiven() {
      for (auto& [name, in] : x.inputs) {
        std::fill_n(reinterpret_cast<float*>(in.values.data()), in.given * in.width, 0.0f);
        in.given = 0;
      }
    }
  } clear_given{x};
  check_cancelled();  // every generated token, prompt chunk, bench or perplexity step
  const int64_t T = rows.T;
  if (T < 1 || T > x.info.step_tokens || L < 1 || L > T || L > x.max_logit_rows)
    throw Error("runtime: error: a step takes 1 <= T <= " + std::to_string(x.info.step_tokens) +
                " rows and returns 1 <= L <= min(T, " + std::to_string(x.max_logit_rows) +
                ") logits rows (ExecutorOptions::max_logit_rows); got T = " + std::to_string(T) +
                ", L = " + std::to_string(L));
  x.load_rows(rows);
  x.syms[static_cast<int>(ir::Sym::T)] = T;
  x.syms[static_cast<int>(ir::Sym::L)] = L;
  Profiler* profiler = x.kernels->profiler();
  if (profiler) profiler->begin_step(T, L, rows.positions[0]);
  x.kernels->run(x.syms);
  if (profiler) profiler->end_step();
  return x.logits;
}

void Executor::give_rows(const std::string& name, const float* values, int64_t T) {
  auto in = impl_->inputs.find(name);
  if (in == impl_->inputs.end())
    throw error_at(impl_->g.name(), "the graph has no f32[T, n] argument '%" + name + "' to give rows to");
  if (T < 1 || T > impl_->info.step_tokens)
    throw Error("runtime: error: " + std::to_string(T) + " rows of '%" + name + "' do not fit a step");
  std::copy_n(values, T * in->second.width, reinterpret_cast<float*>(in->second.values.data()));
  in->second.given = T;
}

int64_t Executor::rows_width(const std::string& name) const {
  auto in = impl_->inputs.find(name);
  return in == impl_->inputs.end() ? 0 : in->second.width;
}

void Executor::reset() { impl_->kv.reset(); }
KvCache& Executor::kv_cache() { return impl_->kv; }
int64_t Executor::vocab() const { return impl_->vocab; }
int64_t Executor::max_logit_rows() const { return impl_->max_logit_rows; }
int Executor::threads() const { return impl_->kernels->threads(); }
int64_t Executor::sequences() const { return impl_->kv.sequences(); }
int64_t Executor::rollback_limit() const { return impl_->kv.rollback_limit(); }
const ir::ModelInfo& Executor::info() const { return impl_->info; }
Profiler* Executor::profiler() { return impl_->kernels->profiler(); }

MemoryReport Executor::memory() const {
  MemoryReport r;
  for (const auto& op : impl_->g.ops())
    if (ir::is_role(*op, ir::OpRole::Weight))
      r.weight_bytes += static_cast<uint64_t>(op->result(0)->type().bytes(nullptr));
  r.arena_bytes = impl_->plan.arena_bytes;
  r.kv_bytes = impl_->kv.bytes();
  return r;
}

}  // namespace lmc::runtime
