// Builder: result types come from the op table, names are made unique, ops land at
// the insertion point, and a shape error names the op.
#include <gtest/gtest.h>

#include "ir/builder.h"
#include "ir/printer.h"
#include "support/error.h"

namespace lmc::ir {
namespace {

Type f32(std::vector<Dim> dims) { return Type{DType::f32, std::move(dims)}; }
Dim T() { return Dim::symbolic(Sym::T); }

TEST(Builder, InfersResultTypes) {
  Graph g("b");
  Value* x = g.add_arg("x", f32({T(), Dim::of(64)}));
  Builder b(g);
  Value* w = b.param("w.weight", f32({Dim::of(32), Dim::of(64)}), "w");
  Value* y = b.op("linear", {x, w}, {}, "y");
  EXPECT_EQ(y->type().str(), "f32[T,32]");
  EXPECT_EQ(w->def()->attr_str("name"), "w.weight");
  std::vector<Value*> parts =
      b.create("split", {y}, {{"axis", int64_t{1}}, {"sizes", std::vector<int64_t>{8, 24}}}, {"a", "b"});
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0]->name(), "a");
  EXPECT_EQ(parts[1]->type().str(), "f32[T,24]");
}

TEST(Builder, MakesNamesUnique) {
  Graph g("b");
  Value* x = g.add_arg("x", f32({T(), Dim::of(8)}));
  Builder b(g);
  Value* a = b.op("silu", {x}, {}, "v");
  Value* c = b.op("silu", {a}, {}, "v");
  Value* d = b.op("silu", {c}, {}, "x");  // an argument's name is taken too
  EXPECT_EQ(a->name(), "v");
  EXPECT_EQ(c->name(), "v.1");
  EXPECT_EQ(d->name(), "x.1");
  // Several results from one hint share it, uniqued.
  auto parts = b.create("split", {d}, {{"axis", int64_t{1}}, {"sizes", std::vector<int64_t>{4, 4}}}, {"p"});
  EXPECT_EQ(parts[0]->name(), "p");
  EXPECT_EQ(parts[1]->name(), "p.1");
}

TEST(Builder, InsertsAtTheInsertionPoint) {
  Graph g("b");
  Value* x = g.add_arg("x", f32({T(), Dim::of(8)}));
  Builder b(g);
  Value* last = b.op("silu", {x}, {}, "last");
  b.set_insertion_point(g.find(last->def()));
  b.op("gelu", {x}, {}, "first");
  EXPECT_EQ(print(g),
            "graph @b(%x: f32[T,8]) {\n"
            "  %first = gelu %x : f32[T,8]\n"
            "  %last = silu %x : f32[T,8]\n"
            "  return\n"
            "}\n");
}

TEST(Builder, DeclaredTypeForReshape) {
  Graph g("b");
  Value* x = g.add_arg("x", f32({T(), Dim::of(64)}));
  Builder b(g);
  Value* r = b.declared("reshape", {x}, f32({T(), Dim::of(4), Dim::of(16)}), {}, "r");
  EXPECT_EQ(print_op(*r->def()), "%r = reshape %x : f32[T,4,16]");
}

TEST(Builder, ShapeErrorNamesTheOp) {
  Graph g("b");
  Value* x = g.add_arg("x", f32({T(), Dim::of(64)}));
  Value* z = g.add_arg("z", f32({T(), Dim::of(32)}));
  Builder b(g);
  try {
    b.op("add", {x, z}, {}, "y");
    FAIL() << "expected a shape error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "builder: op 'add': operands differ: f32[T,64] vs f32[T,32]");
  }
  EXPECT_TRUE(g.ops().empty());
}

TEST(Builder, RefusesOpsWithoutAShapeRule) {
  Graph g("b");
  Builder b(g);
  EXPECT_THROW(b.op("no_such_op", {}), Error);
  EXPECT_THROW(b.op("param", {}), Error);  // params declare their type: Builder::param
}

}  // namespace
}  // namespace lmc::ir
