// split(x[R,...,S]) {axis = last, sizes} -> y_i[R,...,s_i]: consecutive ranges of the last
// axis into separate results (the inverse of a fused projection's concat; an experts'
// [R, k, N] splits each slot's columns). Work items: rows.
#include <llvm/IR/Function.h>

#include "codegen/llvm/column_copies.h"
#include "codegen/llvm/emitter.h"
#include "codegen/split_shape.h"

namespace lmc::codegen {

namespace {

void emit(llvm::Function& fn, const KernelDesc& d) {
  ColumnParts s = split_shape(d);
  KernelParams p = kernel_params(fn);
  Builder b = entry_builder(fn);
  std::vector<llvm::Value*> ys;
  for (size_t i = 0; i < s.widths.size(); ++i) ys.push_back(arg_pointer(b, p, static_cast<int>(i + 1)));
  emit_column_copies(b, p, s, d.operands[0].dtype, arg_pointer(b, p, 0), ys, CopyDirection::IntoPieces);
  b.CreateRetVoid();
}

}  // namespace

void emit_split_kernel(llvm::Function& fn, const KernelDesc& d) { emit(fn, d); }

}  // namespace lmc::codegen
