// concat(a[R,A], b[R,B], ...) {axis = 1} -> y[R, A+B+...]: each row of y is the rows
// of the operands side by side. Work items: rows.
#include <llvm/IR/Function.h>

#include "codegen/concat_shape.h"
#include "codegen/emitter.h"
#include "codegen/llvm_helpers.h"

namespace lmc::codegen {

namespace {

void emit(llvm::Function& fn, const KernelDesc& d) {
  ColumnParts s = concat_shape(d);
  ir::DType dt = d.results[0].dtype;
  KernelParams p = kernel_params(fn);
  Builder b = entry_builder(fn);
  std::vector<llvm::Value*> xs;
  for (size_t i = 0; i < s.widths.size(); ++i) xs.push_back(arg_pointer(b, p, static_cast<int>(i)));
  llvm::Value* y = arg_pointer(b, p, static_cast<int>(xs.size()));
  emit_for(b, p.begin, p.end, 1, [&](llvm::Value* r) {
    int64_t col = 0;
    for (size_t i = 0; i < xs.size(); ++i) {
      int64_t bytes = ir::dtype_row_bytes(dt, s.widths[i]);
      auto* dst = byte_ptr(b, y, b.CreateAdd(b.CreateMul(r, i64c(b, ir::dtype_row_bytes(dt, s.whole.width))),
                                             i64c(b, ir::dtype_row_bytes(dt, col))));
      b.CreateMemCpy(dst, llvm::Align(1), byte_ptr(b, xs[i], b.CreateMul(r, i64c(b, bytes))), llvm::Align(1), bytes);
      col += s.widths[i];
    }
  });
  b.CreateRetVoid();
}

}  // namespace

extern const Emitter kEmitConcat{"concat", emit};

}  // namespace lmc::codegen
