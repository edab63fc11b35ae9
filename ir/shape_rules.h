// The shape rules of the ops (ir/op_table.cpp): each checks an op's operands and
// attributes and returns its result types, or throws lmc::Error saying what is wrong (the
// verifier and builder say which op). Semantics are in docs/ir.md; shapes use T (rows of
// this step) and L (logit rows) as symbols.
#pragma once
#include <vector>

#include "ir/graph.h"

namespace lmc::ir::shape_rules {

using Rule = std::vector<Type> (*)(const Op&);

extern const Rule same_as_first, binary, embedding, rms_norm, layer_norm, linear, fusion, rope, kv_write, attention,
    moe_route, expert_linear, expert_sum, split, concat, quantize, slice, all_reduce, all_gather, tail_rows, avg_pool;

}  // namespace lmc::ir::shape_rules
