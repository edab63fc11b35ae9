// Turns the op table's per-element expressions (ir/scalar_expr.h) into LLVM
// instructions on a float scalar or vector; the leaves come from the caller.
#pragma once
#include <functional>
#include <vector>

#include "codegen/llvm/builder/llvm_helpers.h"
#include "ir/attribute.h"
#include "ir/scalar_expr.h"

namespace lmc::codegen {

struct ExprLeaves {
  llvm::Value* like = nullptr;                     // a value of the result's type (scalar or vector)
  std::function<llvm::Value*(int)> input;          // in(i)
  const ir::AttrMap* attrs = nullptr;              // attr(name), from the op
  const std::vector<llvm::Value*>* stats = nullptr;  // stat(j), scalars
  llvm::Value* acc = nullptr;                      // acc (scalar), inside a finish
  float count = 0;                                 // count, inside a finish
  std::function<llvm::Value*(int)> partner{};      // partner(i), in a rotation's value
  std::function<llvm::Value*(int)> table{};        // table(j), in a rotation's value
};

// Throws lmc::Error when a leaf the expression needs is missing (an attribute the op
// lacks, a statistic not computed yet).
llvm::Value* emit_scalar_expr(Builder& b, const ir::ScalarExpr& e, const ExprLeaves& leaves);

}  // namespace lmc::codegen
