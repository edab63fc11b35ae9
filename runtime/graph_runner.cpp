#include "runtime/graph_runner.h"

#include <algorithm>

#include "ir/graph_view.h"
#include "runtime/aligned_buffer.h"
#include "runtime/executor.h"
#include "runtime/kernel_graph.h"
#include "runtime/kv_page_table.h"
#include "runtime/memory_plan.h"
#include "runtime/step_rows.h"
#include "support/error.h"

namespace lmc::runtime {

namespace {

int64_t sym(const SymbolValues& s, ir::Sym which) { return s[static_cast<size_t>(which)]; }

const SymbolValues& checked_symbols(const ir::Graph& g, const SymbolValues& s) {
  for (int64_t v : s)
    if (v < 1) throw error_at(g.name(), "a graph run needs a positive value of every symbol (T, L, C)");
  if (sym(s, ir::Sym::L) > sym(s, ir::Sym::T))
    throw error_at(g.name(), "L = " + std::to_string(sym(s, ir::Sym::L)) + " is more than T = " +
                                 std::to_string(sym(s, ir::Sym::T)) + ": L counts the last rows of T");
  return s;
}

// The kernels index memory by i32 values unchecked, so the only i32 arguments a run takes
// are the row ids it checks.
void check_arguments(const ir::Graph& g) {
  check_row_arguments(g);
  for (const auto& a : g.args())
    if (a->type().dtype == ir::DType::i32 && !is_row_ids(*a))
      throw error_at(g.name(),
                     "graph argument '%" + a->name() +
                         "' is i32: the ids a graph run takes are tokens, positions and seq, which it checks");
}

std::vector<const ir::Op*> checked_order(const ir::Graph& g) {
  ir::Op* cycle = nullptr;
  auto order = ir::topological_order(g, &cycle);
  if (!order) throw error_at(cycle ? cycle->where() : g.name(), "the graph has a cycle");
  return {order->begin(), order->end()};
}

}  // namespace

struct GraphRunner::Impl {
  const ir::Graph& g;
  const WeightProvider& weights;
  SymbolValues syms;
  MemoryPlan plan;
  AlignedBuffer arena;
  std::vector<AlignedBuffer> args;
  KvPageTable kv_pages;  // the one sequence's caches, in the fixed layout (windows' too: C rows each)
  RowLimits limits;
  std::vector<int32_t> next_position;
  std::vector<const void*> outputs;
  std::unique_ptr<KernelGraph> kernels;

  Impl(const ir::Graph& g_, const WeightProvider& w, const SymbolValues& s)
      : g(g_), weights(w), syms(s), kv_pages(1, sym(s, ir::Sym::C)), limits(row_limits(g_, sym(s, ir::Sym::C), 1)) {}

  void* buffer(const ir::Value* v) {
    const ir::Value* root = storage_root(v);
    if (root->def()) return defined_buffer(root, plan, arena.data(), weights);
    return args.at(static_cast<size_t>(root->index())).data();
  }

  // The argument named `name` as ids, or nullptr when the graph has none.
  const int32_t* ids(const std::string& name) {
    const ir::Value* a = g.arg(name);
    return a ? reinterpret_cast<const int32_t*>(args[static_cast<size_t>(a->index())].data()) : nullptr;
  }
};

GraphRunner::GraphRunner(const ir::Graph& g, const KernelTable& kernels, const WeightProvider& weights,
                         const SymbolValues& syms, int threads)
    : impl_(std::make_unique<Impl>(g, weights, checked_symbols(g, syms))) {
  Impl& x = *impl_;
  check_arguments(g);
  x.plan = plan_memory(g, checked_order(g), sym(syms, ir::Sym::T), false, sym(syms, ir::Sym::L), sym(syms, ir::Sym::C));
  x.arena = AlignedBuffer(x.plan.arena_bytes);
  for (const auto& a : g.args()) x.args.emplace_back(static_cast<uint64_t>(a->type().bytes(syms.data())));
  KernelGraphOptions k;
  k.threads = threads > 0 ? threads : default_threads();
  std::copy(syms.begin(), syms.end(), k.largest);
  k.kv_pages = x.kv_pages.data();
  k.kv_window_pages = x.kv_pages.data();
  x.kernels = std::make_unique<KernelGraph>(x.plan, kernels, [&x](const ir::Value* v) { return x.buffer(v); }, k);
  for (const ir::Value* out : g.outputs()) x.outputs.push_back(x.buffer(out));
}

GraphRunner::~GraphRunner() = default;

void* GraphRunner::argument(size_t i) { return impl_->args.at(i).data(); }

void GraphRunner::run() {
  Impl& x = *impl_;
  StepRows rows{x.ids("tokens"), x.ids("positions"), x.ids("seq"), sym(x.syms, ir::Sym::T), x.ids("key_ends")};
  check_rows(rows, x.limits, x.next_position);
  x.kernels->run(x.syms.data());
}

const void* GraphRunner::output(size_t i) const { return impl_->outputs.at(i); }

}  // namespace lmc::runtime
