// A Boost.Graph view of an IR graph (vertices = ops, edges = def→use) for the
// algorithms we do not write ourselves: topological order and cycle detection.
// Pictures of a graph are ir/dot_writer.h.
#pragma once
#include <optional>
#include <vector>

#include "ir/graph.h"

namespace lmc::ir {

// Ops in an order where every op follows the producers of its operands, or
// nullopt when the dependencies form a cycle (then `cycle_op` names an op on it).
std::optional<std::vector<Op*>> topological_order(const Graph& g, Op** cycle_op = nullptr);

}  // namespace lmc::ir
