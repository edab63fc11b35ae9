// The Boost.Graph view: topological order of misordered graphs, and cycle detection
// with the op it names.
#include <gtest/gtest.h>

#include <algorithm>

#include "ir/builder.h"
#include "ir/graph_view.h"
#include "ir/parser.h"
#include "ir/verifier.h"
#include "support/error.h"

namespace lmc::ir {
namespace {

size_t position(const std::vector<Op*>& order, const Op* op) {
  return std::find(order.begin(), order.end(), op) - order.begin();
}

Op* defining(const Graph& g, const std::string& name) {
  for (const auto& op : g.ops())
    for (size_t i = 0; i < op->num_results(); ++i)
      if (op->result(i)->name() == name) return op.get();
  return nullptr;
}

TEST(GraphView, TopologicalOrderPutsProducersFirst) {
  // Written consumers first; the order must still respect every def-use edge.
  auto g = parse(
      "graph @t(%x: f32[T,8]) {\n"
      "  %d = add %b, %c : f32[T,8]\n"
      "  %c = silu %a : f32[T,8]\n"
      "  %b = gelu %a : f32[T,8]\n"
      "  %a = scale %x {factor = 2.0} : f32[T,8]\n"
      "  return %d\n"
      "}\n");
  Op* cycle = nullptr;
  auto order = topological_order(*g, &cycle);
  ASSERT_TRUE(order.has_value());
  EXPECT_EQ(cycle, nullptr);
  ASSERT_EQ(order->size(), 4u);
  for (const auto& op : g->ops()) {
    for (Value* v : op->operands()) {
      if (v->def()) {
        EXPECT_LT(position(*order, v->def()), position(*order, op.get())) << v->name();
      }
    }
  }
}

TEST(GraphView, EmptyGraphHasEmptyOrder) {
  auto g = parse("graph @e() {\n  return\n}\n");
  auto order = topological_order(*g);
  ASSERT_TRUE(order.has_value());
  EXPECT_TRUE(order->empty());
}

TEST(GraphView, CycleIsDetectedAndNamed) {
  auto g = parse(
      "graph @c(%x: f32[T,8]) {\n"
      "  %pre = silu %x : f32[T,8]\n"
      "  %a = add %pre, %c : f32[T,8]\n"
      "  %b = gelu %a : f32[T,8]\n"
      "  %c = scale %b {factor = 2.0} : f32[T,8]\n"
      "  return %c\n"
      "}\n");
  Op* cycle = nullptr;
  EXPECT_FALSE(topological_order(*g, &cycle).has_value());
  // The first op in program order that is on the cycle: %pre feeds it but is not on it.
  EXPECT_EQ(cycle, defining(*g, "a"));
  EXPECT_FALSE(topological_order(*g).has_value());  // callers may skip the name
}

TEST(GraphView, SelfLoopIsACycle) {
  auto g = parse("graph @s(%x: f32[T,8]) {\n  %a = add %x, %a : f32[T,8]\n  return %a\n}\n");
  Op* cycle = nullptr;
  EXPECT_FALSE(topological_order(*g, &cycle).has_value());
  EXPECT_EQ(cycle, defining(*g, "a"));
}

// A chain of n silu ops whose last two ops form a cycle. A search from every op in
// turn walked the whole rest of the chain each time: 10.7 s at 50k ops; at 600k it
// would run for half an hour. One pass over the components answers at once.
TEST(GraphView, CycleAtTheEndOfALongChainIsFoundInOnePass) {
  constexpr size_t kOps = 600000;
  Graph g("chain");
  Value* v = g.add_arg("x", Type{DType::f32, {Dim::symbolic(Sym::T), Dim::of(8)}});
  Builder b(g);
  for (size_t i = 0; i + 2 < kOps; ++i) v = b.op("silu", {v}, {}, "s");
  Value* a = b.op("add", {v, v}, {}, "a");
  Value* c = b.op("gelu", {a}, {}, "c");
  a->def()->set_operand(1, c);  // a reads c, c reads a
  ASSERT_EQ(g.ops().size(), kOps);
  Op* cycle = nullptr;
  EXPECT_FALSE(topological_order(g, &cycle).has_value());
  EXPECT_EQ(cycle, a->def());
  try {
    verify(g, "chain.lir");
    ADD_FAILURE() << "the cycle was not reported";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "chain.lir: error: op 'add' defining %a is on a dependency cycle");
  }
}

TEST(GraphView, TopologicalOrderTreatsAFusionAsOneOp) {
  auto g = parse(
      "graph @t(%x: f32[T,8]) {\n"
      "  %o = add %f, %x : f32[T,8]\n"
      "  %f = fusion %x {\n"
      "  ^(%a: f32[T,8]):\n"
      "    %s = silu %a : f32[T,8]\n"
      "    yield %s\n"
      "  } : f32[T,8]\n"
      "  return %o\n"
      "}\n");
  auto order = topological_order(*g);
  ASSERT_TRUE(order.has_value());
  ASSERT_EQ(order->size(), 2u);
  EXPECT_EQ((*order)[0], defining(*g, "f"));
  EXPECT_EQ((*order)[1], defining(*g, "o"));
}

}  // namespace
}  // namespace lmc::ir
