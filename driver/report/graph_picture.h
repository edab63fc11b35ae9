// The pictures of what a pass changed: the graph before and after it, drawn by
// ir::write_dot with the ops the pass added or changed outlined in the second. A model's
// graph is drawn one layer at a time, so a picture stays readable: the first layer the
// pass changed an op of (layer 0 when it changed none; the layers of a stack are alike).
// A graph without layers is drawn whole up to kMaxWholeGraphOps ops.
#pragma once
#include <string>
#include <vector>

#include "driver/report/report_model.h"
#include "ir/graph.h"

namespace lmc::report {

// A graph without layers bigger than this is not drawn: its picture would be too big to read.
inline constexpr size_t kMaxWholeGraphOps = 400;

// The picture before and the one after, each left out when its graph is too big to draw
// whole. `before` is the graph the pass started from.
std::vector<Picture> change_pictures(const ir::Graph& before, const ir::Graph& after);

// One picture of each layer of `g` (the compiled graph), for the report's layer selector:
// layers are alike only mostly (Gemma's global-attention layers, a Q4_K_M file's q6_k
// layers). None for a graph without layers.
std::vector<Picture> layer_pictures(const ir::Graph& g);

}  // namespace lmc::report
