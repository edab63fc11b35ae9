// concat(a[R,...,A], b[R,...,B], ...) {axis = last} -> y[R,...,A+B+...]: the operands'
// last-axis ranges side by side. Work items: rows.
#include <llvm/IR/Function.h>

#include "codegen/concat_shape.h"
#include "codegen/llvm/column_copies.h"
#include "codegen/llvm/emitter.h"

namespace lmc::codegen {

namespace {

void emit(llvm::Function& fn, const KernelDesc& d) {
  ColumnParts s = concat_shape(d);
  KernelParams p = kernel_params(fn);
  Builder b = entry_builder(fn);
  std::vector<llvm::Value*> xs;
  for (size_t i = 0; i < s.widths.size(); ++i) xs.push_back(arg_pointer(b, p, static_cast<int>(i)));
  llvm::Value* y = arg_pointer(b, p, static_cast<int>(xs.size()));
  emit_column_copies(b, p, s, d.results[0].dtype, y, xs, CopyDirection::IntoWhole);
  b.CreateRetVoid();
}

}  // namespace

void emit_concat_kernel(llvm::Function& fn, const KernelDesc& d) { emit(fn, d); }

}  // namespace lmc::codegen
