// Small matchers the fusion passes are written with, so that each pass reads as a
// pattern plus a guard. An op kind they are given must be in the op table: a misspelt one
// throws lmc::Error naming it (as OpPattern's text does), never matching nothing.
#pragma once
#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace lmc::passes {

// The op defining `v` if it is of `kind`, else nullptr.
ir::Op* defined_by(const ir::Value* v, const std::string& kind);
// Follows operand 0 back through ops of the given kinds (e.g. rope, rms_norm) and
// returns the first value not produced by one of them.
ir::Value* skip_back(ir::Value* v, std::initializer_list<const char*> kinds);
// True when `v` is read by exactly one op and is not a graph output.
bool has_single_use(const ir::Graph& g, const ir::Value* v);
// Every op of `kind`, in program order (a snapshot: safe to rewrite while iterating).
std::vector<ir::Op*> ops_of_kind(ir::Graph& g, const std::string& kind);
// The earliest of `ops` in program order.
ir::Op* first_in_order(ir::Graph& g, const std::vector<ir::Op*>& ops);
// Where `v` is read, fusion bodies looked into (a fusion's operand is its body's
// argument, the same storage): `bound` gets v and every body argument bound to it,
// `read` every other op reading one of them, with the graph it is in and the operand
// index — in program order, depth first.
void visit_reads(const ir::Graph& g, ir::Value* v, const std::function<void(ir::Value*)>& bound,
                 const std::function<void(const ir::Graph&, ir::Op*, size_t)>& read);
// Whether `op` is a concat joining whole weight rows, as the packer's cat() and cat1() do:
// along axis 0, or along axis 1 of stacked [E, N, K] weights (each expert's rows).
bool joins_weight_rows(const ir::Op& op);
// Whether `v` is a weight known when the graph is compiled: a param, or a weight transform
// (concat, quantize, slice) of such weights, which fold-weights computes once. A weight
// that is a graph argument, or made from one, arrives with each call.
bool known_at_compile_time(const ir::Value* v);
// Gives each value (one storage and the names bound to it) the dtype `dtype`.
void retype(const std::vector<ir::Value*>& values, ir::DType dtype);

}  // namespace lmc::passes
