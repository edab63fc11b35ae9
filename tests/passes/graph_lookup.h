// Finding ops of a parsed test graph by the name of a value they define.
#pragma once
#include <string>

#include "ir/graph.h"

namespace lmc::passes {

// The op defining %name, or nullptr.
inline ir::Op* op_named(ir::Graph& g, const std::string& name) {
  for (auto& op : g.ops())
    for (size_t i = 0; i < op->num_results(); ++i)
      if (op->result(i)->name() == name) return op.get();
  return nullptr;
}

}  // namespace lmc::passes
