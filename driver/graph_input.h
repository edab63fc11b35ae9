// A graph given as IR text (`lmc compile GRAPH.lir`) in place of a lowered model: parsed
// and verified with the file's line numbers, its params checked against the weights given
// (--weights, a GGUF or SafeTensors), so that an artifact can pack them. It has no
// tokenizer, so its artifact is inspected, verified and run by graph tools, not chatted with.
#pragma once
#include <string>

#include "models/lowering.h"

namespace lmc::driver {

// The graph of `path` with the params checked against `o.weights`. A graph states no
// bounds for its symbols, so a run of it takes up to 512 rows (T) and C is `o.context`
// (512 unless given), as a model definition's step_tokens and context would say.
// Throws lmc::Error "<path>:<line>: error: ..." for a param the weights do not hold with
// its shape, or when the graph has params, no weights are given and `packs_weights`.
// "<path>:<line>" of an op of the graph read from `path`; the path alone for an op a pass made.
std::string graph_location(const std::string& path, const ir::Op& op);

models::LoweredModel read_graph(const std::string& path, const models::LowerOptions& o, bool packs_weights);

}  // namespace lmc::driver
