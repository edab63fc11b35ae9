// tail_rows(x[T,D]) -> y[L,D]: the last L rows of x (the rows whose logits are
// wanted). Work items: rows of y.
#include <llvm/IR/Function.h>

#include "codegen/llvm/builder/llvm_helpers.h"
#include "codegen/llvm/emitter.h"
#include "codegen/tail_rows_shape.h"

namespace lmc::codegen {

namespace {

void emit(llvm::Function& fn, const KernelDesc& d) {
  TailRowsShape s = tail_rows_shape(d);
  KernelParams p = kernel_params(fn);
  Builder b = entry_builder(fn);
  llvm::Value* x = arg_pointer(b, p, 0);
  llvm::Value* y = arg_pointer(b, p, 1);
  auto* skipped = b.CreateSub(dim_value(b, p, s.x.rows), dim_value(b, p, s.y.rows));
  auto* bytes = i64c(b, s.row_bytes);
  auto* src = byte_ptr(b, x, b.CreateMul(b.CreateAdd(skipped, p.begin), bytes));
  auto* dst = byte_ptr(b, y, b.CreateMul(p.begin, bytes));
  // The wanted rows are contiguous in both buffers: one copy.
  b.CreateMemCpy(dst, llvm::Align(1), src, llvm::Align(1), b.CreateMul(b.CreateSub(p.end, p.begin), bytes));
  b.CreateRetVoid();
}

}  // namespace

void emit_tail_rows_kernel(llvm::Function& fn, const KernelDesc& d) { emit(fn, d); }

}  // namespace lmc::codegen
