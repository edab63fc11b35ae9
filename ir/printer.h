// The text form of a graph: line oriented, one op per line, parseable back
// (ir/parser.h) to an identical graph.
#pragma once
#include <string>

#include "ir/graph.h"

namespace lmc::ir {

std::string print(const Graph& g);
std::string print_op(const Op& op);

}  // namespace lmc::ir
