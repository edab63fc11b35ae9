// Horizontal fusion: sibling linears that read the same input become one linear over
// their concatenated weights (and one add of their concatenated biases), followed by a split that hands each
// former consumer its slice. QKV and gate+up fusion are both this rewrite; experts' linears
// that read the same input through the same chosen experts join each expert's rows.
#pragma once
#include <string>
#include <vector>

#include "ir/graph.h"

namespace lmc::passes {

// The add of a bias (one row, a param) that alone reads a linear's result, or nullptr.
ir::Op* bias_add(const ir::Graph& g, const ir::Op* linear);

// Why `linears` cannot be fused, or "" when they can: all linears or all expert_linears
// (of the same experts), same input, weights known at compile time (params, which
// fold-weights stacks once) of one dtype, input dim (and expert count),
// bias adds on all or none; experts' weights stored by the file in one block type (or none).
std::string sibling_fusion_blocker(const ir::Graph& g, const std::vector<ir::Op*>& linears);

// "" when the file stores the siblings' weights in one block type (or none); else the
// parts the fused linear's weight takes, e.g. "q4_k (%q %k), q6_k (%v)".
std::string block_type_parts(const std::vector<ir::Op*>& linears);

// When `v` is computed inside a region an earlier pass made (a fusion holding a linear,
// where a projection was expected): why the siblings cannot be found, naming the region,
// so that a grouping pass placed too early never silently stops this one. Else "".
std::string projection_in_region(const ir::Value* v);

// The names of the values `linears` define, sorted: a candidate place (Pass::candidates)
// of a pass that groups them.
std::vector<std::string> sorted_names(const std::vector<ir::Op*>& linears);

// Rewrites the siblings (which must pass the guard) and returns the fused linear: its
// weight is their weights stacked, one operand per run of a stored block type (a linear of
// several weight parts where the file mixes them), so no weight is requantized.
ir::Op* fuse_sibling_linears(ir::Graph& g, const std::vector<ir::Op*>& linears, const std::string& name);

}  // namespace lmc::passes
