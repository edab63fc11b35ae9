// The transformer layer of every op, read from the graph alone, with no knowledge of any
// architecture. Weight names carry the layer index ("blk.3.attn_q.weight",
// "model.layers.3.mlp.up_proj.weight", and each name inside a folded one such as
// "q8_0(cat(blk.3.ffn_gate.weight,blk.3.ffn_up.weight))"): the dotted prefix before a
// number that takes the most distinct numbers across the graph names the layer stack.
// An op reading a weight of layer N is in layer N; one reading only weights without an
// index (the embedding, the output norm) is outside every layer. Every other op takes
// the layer of its nearest such op along def-use edges: at equal distance a computation
// goes with its producers (the latest of their layers), a view with its consumers (the
// earliest of theirs). Ops reached from none stay outside.
#pragma once
#include <unordered_map>

#include "ir/graph.h"

namespace lmc::ir {

struct Layers {
  static constexpr int kOutside = -1;  // the prologue and epilogue around the layers
  int count = 0;                       // layers 0 .. count-1
  std::unordered_map<const Op*, int> of_op;  // every op of the graph (not of bodies)

  int of(const Op& op) const { return of_op.at(&op); }
};

Layers find_layers(const Graph& g);

}  // namespace lmc::ir
