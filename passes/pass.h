// A pass transforms a graph in place and says whether it changed it, with
// human-readable statistics ("fused 18 QKV triples") and per-decision remarks.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "passes/pass_context.h"

namespace lmc::passes {

struct PassResult {
  bool changed = false;
  std::vector<std::string> stats;
};

class Pass {
 public:
  virtual ~Pass() = default;
  virtual std::string name() const = 0;
  virtual std::string summary() const = 0;
  virtual PassResult run(ir::Graph& g, PassContext& ctx) = 0;
};

}  // namespace lmc::passes
