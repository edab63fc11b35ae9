#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "ir/graph_view.h"
#include "runtime/memory_plan.h"
#include "test_graphs.h"

namespace lmc::runtime {
namespace {

using namespace testing;

std::vector<const ir::Op*> program_order(const ir::Graph& g) {
  auto order = ir::topological_order(g);
  EXPECT_TRUE(order.has_value());
  return {order->begin(), order->end()};
}

bool overlap(const PlannedValue& a, const PlannedValue& b) {
  return a.offset < b.offset + b.bytes && b.offset < a.offset + a.bytes;
}

// The plan's promises: live values never share bytes; every read happens inside
// the reader's live interval; every byte reuse is ordered after the old value's readers.
void check_plan(const ir::Graph& g, const MemoryPlan& plan) {
  for (size_t i = 0; i < plan.values.size(); ++i)
    for (size_t j = i + 1; j < plan.values.size(); ++j) {
      const PlannedValue &a = plan.values[i], &b = plan.values[j];
      bool live_together = a.first <= b.last && b.first <= a.last;
      if (live_together) {
        EXPECT_FALSE(overlap(a, b)) << a.value->name() << " and " << b.value->name() << " are live together";
      }
    }
  for (const PlannedValue& v : plan.values) {
    EXPECT_EQ(v.offset % 64, 0u);
    EXPECT_LE(v.offset + v.bytes, plan.arena_bytes);
  }
  for (size_t i = 0; i < plan.order.size(); ++i)
    for (const ir::Value* o : plan.order[i]->operands()) {
      auto it = plan.index.find(storage_root(o));
      if (it == plan.index.end()) continue;
      const PlannedValue& pv = plan.values[it->second];
      EXPECT_LT(pv.first, static_cast<int>(i));
      EXPECT_GE(pv.last, static_cast<int>(i)) << o->name() << " is read after its interval ends";
    }
  for (const ir::Value* out : g.outputs()) {
    auto it = plan.index.find(storage_root(out));
    if (it != plan.index.end()) {
      EXPECT_EQ(plan.values[it->second].last, static_cast<int>(plan.order.size()));
    }
  }
  auto edges = plan.reuse_edges();
  std::set<std::pair<const ir::Op*, const ir::Op*>> edge_set(edges.begin(), edges.end());
  for (const PlannedValue& u : plan.values)
    for (const PlannedValue& v : plan.values)
      if (u.last < v.first && overlap(u, v)) {
        for (const ir::Op* r : u.readers) EXPECT_TRUE(edge_set.count({r, v.value->def()}));
      }
}

// The largest total size of values live at one op: no plan can be smaller.
uint64_t peak_live_bytes(const MemoryPlan& plan) {
  uint64_t peak = 0;
  for (size_t i = 0; i <= plan.order.size(); ++i) {
    uint64_t live = 0;
    for (const PlannedValue& v : plan.values)
      if (v.first <= static_cast<int>(i) && static_cast<int>(i) <= v.last) live += v.bytes;
    peak = std::max(peak, live);
  }
  return peak;
}

void build_random_graph(ir::Graph& g, RandomWeights& w, std::mt19937& rng) {
  ir::Builder b(g);
  const int64_t widths[] = {16, 32, 48, 64};
  ir::Value* tokens = g.add_arg("tokens", {ir::DType::i32, {T()}});
  std::vector<ir::Value*> pool{b.op("embedding", {w.param(b, "emb", {50, 32}), tokens}, {}, "x")};
  auto pick = [&]() { return pool[std::uniform_int_distribution<size_t>(0, pool.size() - 1)(rng)]; };
  auto width = [](ir::Value* v) { return v->type().dims.back().value; };
  int ops = std::uniform_int_distribution<int>(5, 40)(rng);
  for (int i = 0; i < ops; ++i) {
    ir::Value* a = pick();
    std::string name = "v" + std::to_string(i);
    switch (std::uniform_int_distribution<int>(0, 4)(rng)) {
      case 0: {
        std::vector<ir::Value*> same;
        for (ir::Value* v : pool)
          if (v->type() == a->type()) same.push_back(v);
        pool.push_back(b.op(i % 2 ? "add" : "mul", {a, same[rng() % same.size()]}, {}, name));
        break;
      }
      case 1:
        pool.push_back(b.op(i % 2 ? "gelu" : "silu", {a}, {}, name));
        break;
      case 2: {
        int64_t n = widths[rng() % 4];
        pool.push_back(b.op("linear", {a, w.param(b, "w" + std::to_string(i), {n, width(a)})}, {}, name));
        break;
      }
      case 3:  // a view: the operand must stay alive as long as the view is read
        pool.push_back(b.declared("reshape", {a}, f32({T(), n(width(a) / 16), n(16)}), {}, name));
        pool.back() = b.declared("reshape", {pool.back()}, a->type(), {}, name + "r");
        break;
      default:
        pool.push_back(b.op("scale", {a}, {{"factor", 2.0}}, name));
    }
  }
  std::vector<ir::Value*> outs{b.op("tail_rows", {pool.back()}, {}, "logits")};
  for (int k = 0; k < 2; ++k) outs.push_back(pick());
  g.set_outputs(outs);
}

// Whether `a` is a data ancestor of `b` (through operands, transitively).
bool is_ancestor(const ir::Op* a, const ir::Op* b) {
  for (const ir::Value* o : b->operands())
    if (o->def() && (o->def() == a || is_ancestor(a, o->def()))) return true;
  return false;
}

TEST(MemoryPlan, RandomGraphsNeverOverlapLiveValues) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 200; ++trial) {
    ir::Graph g;
    RandomWeights w(trial);
    build_random_graph(g, w, rng);
    SCOPED_TRACE("trial " + std::to_string(trial));
    MemoryPlan compact = plan_memory(g, program_order(g), 8, /*share_across_branches=*/true);
    check_plan(g, compact);
    EXPECT_GE(compact.arena_bytes, peak_live_bytes(compact));

    // By default bytes are shared only where the data dependencies already order
    // the old value's readers before the new value's writer: no edge is needed.
    MemoryPlan plan = plan_memory(g, program_order(g), 8);
    check_plan(g, plan);
    EXPECT_GE(plan.arena_bytes, compact.arena_bytes);
    for (const auto& [before, after] : plan.reuse_edges())
      EXPECT_TRUE(is_ancestor(before, after)) << before->where() << " -> " << after->where();
  }
}

// Two transformer-like layers: norm, q/k/v, rope, KV cache writes, attention,
// residual, gated FFN; the arena must reuse bytes across layers.
TEST(MemoryPlan, TransformerLayersReuseBytes) {
  ir::Graph g;
  RandomWeights w(1);
  ir::Builder b(g);
  const int64_t d = 64, hd = 16, ctx = 128;
  ir::Value* tokens = g.add_arg("tokens", {ir::DType::i32, {T()}});
  ir::Value* pos = g.add_arg("positions", {ir::DType::i32, {T()}});
  ir::Value* seq = g.add_arg("seq", {ir::DType::i32, {T()}});
  ir::Value* x = b.op("embedding", {w.param(b, "emb", {100, d}), tokens}, {}, "x");
  std::vector<ir::Value*> caches;
  for (int i = 0; i < 2; ++i) {
    std::string s = "_" + std::to_string(i);
    ir::Value* h = b.op("rms_norm", {x, w.param(b, "n1" + s, {d})}, {{"eps", 1e-6}}, "h" + s);
    ir::Value* q = b.op("linear", {h, w.param(b, "wq" + s, {d, d})}, {}, "q" + s);
    ir::Value* k = b.op("linear", {h, w.param(b, "wk" + s, {hd, d})}, {}, "k" + s);
    ir::Value* v = b.op("linear", {h, w.param(b, "wv" + s, {hd, d})}, {}, "v" + s);
    ir::AttrMap rope{{"head_dim", int64_t{hd}}, {"base", 10000.0}, {"style", std::string("neox")}};
    q = b.op("rope", {q, pos}, rope, "q" + s);
    k = b.op("rope", {k, pos}, rope, "k" + s);
    ir::Value* kc = b.op("kv_write", {g.add_arg("kc" + s + "_in", f32({n(ctx), n(hd)})), k, pos, seq}, {}, "kc" + s);
    ir::Value* vc = b.op("kv_write", {g.add_arg("vc" + s + "_in", f32({n(ctx), n(hd)})), v, pos, seq}, {}, "vc" + s);
    ir::Value* a = b.op(
        "attention", {q, kc, vc, pos, seq},
        {{"n_heads", int64_t{4}}, {"n_kv_heads", int64_t{1}}, {"head_dim", int64_t{hd}}, {"scale", 0.25}}, "a" + s);
    a = b.op("linear", {a, w.param(b, "wo" + s, {d, d})}, {}, "a" + s);
    x = b.op("add", {x, a}, {}, "x" + s);
    h = b.op("rms_norm", {x, w.param(b, "n2" + s, {d})}, {{"eps", 1e-6}}, "h" + s);
    ir::Value* gate =
        b.op("gelu_tanh", {b.op("linear", {h, w.param(b, "wg" + s, {4 * d, d})}, {}, "g" + s)}, {}, "g" + s);
    ir::Value* up = b.op("linear", {h, w.param(b, "wu" + s, {4 * d, d})}, {}, "u" + s);
    ir::Value* f =
        b.op("linear", {b.op("mul", {gate, up}, {}, "m" + s), w.param(b, "wd" + s, {d, 4 * d})}, {}, "f" + s);
    x = b.op("add", {x, f}, {}, "x" + s);
    caches.push_back(kc);
    caches.push_back(vc);
  }
  std::vector<ir::Value*> outs{
      b.op("linear", {b.op("tail_rows", {x}, {}, "x"), w.param(b, "out", {100, d})}, {}, "logits")};
  outs.insert(outs.end(), caches.begin(), caches.end());
  g.set_outputs(outs);

  MemoryPlan plan = plan_memory(g, program_order(g), 32);
  check_plan(g, plan);
  check_plan(g, plan_memory(g, program_order(g), 32, true));
  for (ir::Value* c : caches) EXPECT_EQ(plan.offset_of(c), -1) << "a kv_write result aliases its cache";
  uint64_t total = 0;
  for (const PlannedValue& v : plan.values) total += v.bytes;
  EXPECT_GE(plan.arena_bytes, peak_live_bytes(plan));
  EXPECT_LT(plan.arena_bytes, total / 3) << "layers should reuse each other's bytes";

  // The logits are sized by the logit rows asked for, everything else by step_tokens.
  MemoryPlan one_row = plan_memory(g, program_order(g), 32, false, /*logit_rows=*/1);
  EXPECT_EQ(plan.values[plan.index.at(outs[0])].bytes, 32u * 100 * 4);
  EXPECT_EQ(one_row.values[one_row.index.at(outs[0])].bytes, 448u);  // 100 floats, 64-byte aligned
  EXPECT_EQ(one_row.values[one_row.index.at(outs[0]->def()->operand(0))].bytes, 256u);  // x at L = 1
  EXPECT_LE(one_row.arena_bytes, plan.arena_bytes);
}

}  // namespace
}  // namespace lmc::runtime
