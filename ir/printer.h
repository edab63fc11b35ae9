// The text form of a graph: line oriented, one op per line, parseable back
// (ir/parser.h) to an identical graph.
#pragma once
#include <string>

#include "ir/graph.h"

namespace lmc::ir {

std::string print(const Graph& g);
std::string print_op(const Op& op);
// A fusion body with its values numbered in order instead of named: bodies that
// compute the same thing print the same, whatever their values are called.
std::string print_region_canonical(const Graph& body);

}  // namespace lmc::ir
