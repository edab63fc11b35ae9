// Graphviz pictures of a graph that a person can read. Ops are grouped in one cluster per
// transformer layer (ir/layer_of.h), the prologue and epilogue outside them; a fusion is
// a cluster of its body's ops inside its layer. Weights are lines in the labels of the
// ops that read them, graph inputs and KV caches have shapes of their own, op roles have
// colours, and a legend says which. Given the graph a pass started from, the ops the pass
// added or changed are outlined. One layer can be drawn alone, with a small stub for
// every value it reads from elsewhere.
#pragma once
#include <optional>
#include <ostream>

#include "ir/graph.h"

namespace lmc::ir {

struct DotOptions {
  bool show_weights = false;  // draw params and weight transforms as nodes of their own
  std::optional<int> layer;   // draw this layer alone
};

// `before`, when given, is the graph a pass started from: an op whose printed text it
// has nowhere is outlined. Throws lmc::Error when `opts.layer` is not a layer of `g`.
void write_dot(const Graph& g, std::ostream& os, const DotOptions& opts = {}, const Graph* before = nullptr);

}  // namespace lmc::ir
