// Checks a graph is well formed: known ops, operand counts, attribute kinds, result
// types equal to what each op's shape rule infers, SSA order, no cycles, outputs
// defined. Errors name the op and its line.
#pragma once
#include <string>

#include "ir/graph.h"

namespace lmc::ir {

// Throws lmc::Error "<file>:<line>: error: op 'x' ...: <what>" on the first problem.
void verify(const Graph& g, const std::string& filename = "<graph>");

}  // namespace lmc::ir
