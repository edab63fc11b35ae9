// tail_rows(x[T,D]) -> y[L,D]: the last L rows of x (the rows whose logits are
// wanted). Work items: rows of y.
#include <llvm/IR/Function.h>

#include "codegen/desc_access.h"
#include "codegen/emitter.h"
#include "codegen/llvm_helpers.h"

namespace lmc::codegen {

namespace {

struct Shape {
  Rows x;
  Rows y;
  int64_t row_bytes = 0;
};

Shape shape(const KernelDesc& d) {
  expect_arity(d, 1, 1);
  Shape s{expect_rows(d, d.operands[0], "input"), expect_rows(d, d.results[0], "result")};
  if (d.results[0].dtype != d.operands[0].dtype || s.y.width != s.x.width)
    desc_error(d, "result rows must match the input's dtype and width");
  s.row_bytes = ir::dtype_row_bytes(d.operands[0].dtype, s.x.width);
  return s;
}

void emit(llvm::Function& fn, const KernelDesc& d) {
  Shape s = shape(d);
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

KernelInfo info(const KernelDesc& d) {
  Shape s = shape(d);
  return row_items(s.y.rows, 2 * s.row_bytes);
}

}  // namespace

extern const Emitter kEmitTailRows{"tail_rows", emit, info};

}  // namespace lmc::codegen
