// The layer finder: layers come from the indices in weight names, whatever the naming
// scheme, and the ops between weighted ones take the layer of their nearest neighbours.
#include <gtest/gtest.h>

#include "ir/layer_of.h"
#include "ir/parser.h"
#include "tests/ir/two_layer_graph.h"

namespace lmc::ir {
namespace {

const Op& defining(const Graph& g, const std::string& name) {
  for (const auto& op : g.ops())
    for (size_t i = 0; i < op->num_results(); ++i)
      if (op->result(i)->name() == name) return *op;
  throw std::runtime_error("no op defines %" + name);
}

int layer_of(const Graph& g, const Layers& l, const std::string& name) { return l.of(defining(g, name)); }

TEST(LayerOf, WeightsPlaceOpsAndNeighboursInherit) {
  auto g = parse(kTwoLayers);
  Layers l = find_layers(*g);
  EXPECT_EQ(l.count, 2);
  // Read layer weights.
  EXPECT_EQ(layer_of(*g, l, "a0"), 0);
  EXPECT_EQ(layer_of(*g, l, "ho0"), 0);
  EXPECT_EQ(layer_of(*g, l, "q1"), 1);
  EXPECT_EQ(layer_of(*g, l, "wq1"), 1);  // a weight is in its own layer
  // Read no weight: from their neighbours.
  EXPECT_EQ(layer_of(*g, l, "qr0"), 0);
  EXPECT_EQ(layer_of(*g, l, "kc0.1"), 0);
  EXPECT_EQ(layer_of(*g, l, "o1"), 1);
  EXPECT_EQ(layer_of(*g, l, "h0"), 0);  // the residual add after layer 0's projection
  EXPECT_EQ(layer_of(*g, l, "h1"), 1);  // reads layer 0's h0 and layer 1's ho1: the later
  // Before and after the layers.
  EXPECT_EQ(layer_of(*g, l, "x"), Layers::kOutside);
  EXPECT_EQ(layer_of(*g, l, "xs"), Layers::kOutside);  // its producer is nearer than its reader a0
  EXPECT_EQ(layer_of(*g, l, "emb"), Layers::kOutside);
  EXPECT_EQ(layer_of(*g, l, "hl"), Layers::kOutside);  // feeds the output norm, not a layer
  EXPECT_EQ(layer_of(*g, l, "logits"), Layers::kOutside);
}

TEST(LayerOf, FoldedWeightNamesAndFusionsCarryTheirLayer) {
  auto g = parse(
      "graph @f(%x: f32[T,32]) {\n"
      "  %w0 = param {name = \"q8_0(cat(blk.0.a.weight,blk.0.b.weight))\"} : q8_0[64,32]\n"
      "  %y0 = linear %x, %w0 : f32[T,64]\n"
      "  %w1 = param {name = \"blk.1.a.weight\"} : f32[8,64]\n"
      "  %w2 = param {name = \"blk.2.a.weight\"} : f32[8,64]\n"
      "  %wc = concat %w1, %w2 {axis = 0} : f32[16,64]\n"
      "  %y1 = linear %y0, %wc : f32[T,16]\n"
      "  %s = silu %y1 : f32[T,16]\n"
      "  return %s\n"
      "}\n");
  Layers l = find_layers(*g);
  EXPECT_EQ(l.count, 3);
  EXPECT_EQ(layer_of(*g, l, "y0"), 0);
  EXPECT_EQ(layer_of(*g, l, "wc"), 2);  // a transform of weights of two layers: the later
  EXPECT_EQ(layer_of(*g, l, "y1"), 2);
  EXPECT_EQ(layer_of(*g, l, "s"), 2);
}

TEST(LayerOf, TheStackIsThePrefixWithTheMostIndices) {
  // Hugging Face names; "rope.0" indexes one table, not a stack of layers.
  auto g = parse(
      "graph @h(%x: f32[T,8]) {\n"
      "  %r = param {name = \"rope.0.freqs\"} : f32[8]\n"
      "  %a = mul %x, %r : f32[T,8]\n"
      "  %w3 = param {name = \"model.layers.3.mlp.up_proj.weight\"} : f32[8,8]\n"
      "  %b = linear %a, %w3 : f32[T,8]\n"
      "  %w7 = param {name = \"model.layers.7.mlp.up_proj.weight\"} : f32[8,8]\n"
      "  %c = linear %b, %w7 : f32[T,8]\n"
      "  return %c\n"
      "}\n");
  Layers l = find_layers(*g);
  EXPECT_EQ(l.count, 8);
  EXPECT_EQ(layer_of(*g, l, "a"), Layers::kOutside);
  EXPECT_EQ(layer_of(*g, l, "b"), 3);
  EXPECT_EQ(layer_of(*g, l, "c"), 7);
}

TEST(LayerOf, BetweenALayerAndTheOutputAComputationStaysAndAViewGoes) {
  // Each op reads layer 0's %y and is read by the output norm: the residual add
  // closes the layer, the rows the norm reads are the epilogue's.
  auto g = parse(
      "graph @v(%x: f32[T,8]) {\n"
      "  %w = param {name = \"blk.0.w\"} : f32[8,8]\n"
      "  %y = linear %x, %w : f32[T,8]\n"
      "  %r = add %y, %x : f32[T,8]\n"
      "  %n = param {name = \"output_norm.weight\"} : f32[8]\n"
      "  %o = rms_norm %r, %n {eps = 1e-06} : f32[T,8]\n"
      "  %t = tail_rows %y : f32[L,8]\n"
      "  %o2 = rms_norm %t, %n {eps = 1e-06} : f32[L,8]\n"
      "  return %o, %o2\n"
      "}\n");
  Layers l = find_layers(*g);
  EXPECT_EQ(layer_of(*g, l, "r"), 0);
  EXPECT_EQ(layer_of(*g, l, "t"), Layers::kOutside);
  EXPECT_EQ(layer_of(*g, l, "o2"), Layers::kOutside);
}

TEST(LayerOf, AGraphWithoutIndexedWeightsHasNoLayers) {
  auto g = parse(
      "graph @n(%x: f32[T,8]) {\n"
      "  %w = param {name = \"w\"} : f32[8,8]\n"
      "  %y = linear %x, %w : f32[T,8]\n"
      "  %z = silu %y : f32[T,8]\n"
      "  %u = gelu %x : f32[T,8]\n"
      "  return %z, %u\n"
      "}\n");
  Layers l = find_layers(*g);
  EXPECT_EQ(l.count, 0);
  for (const auto& op : g->ops()) EXPECT_EQ(l.of(*op), Layers::kOutside) << op->result()->name();
}

}  // namespace
}  // namespace lmc::ir
