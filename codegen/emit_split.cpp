// split(x[R,S]) {axis = 1, sizes} -> y_i[R,s_i]: consecutive column ranges of each
// row into separate results (the inverse of a fused projection's concat). Work
// items: rows.
#include <llvm/IR/Function.h>

#include "codegen/emitter.h"
#include "codegen/llvm_helpers.h"
#include "codegen/split_shape.h"

namespace lmc::codegen {

namespace {

void emit(llvm::Function& fn, const KernelDesc& d) {
  ColumnParts s = split_shape(d);
  ir::DType dt = d.operands[0].dtype;
  KernelParams p = kernel_params(fn);
  Builder b = entry_builder(fn);
  llvm::Value* x = arg_pointer(b, p, 0);
  std::vector<llvm::Value*> ys;
  for (size_t i = 0; i < s.widths.size(); ++i) ys.push_back(arg_pointer(b, p, static_cast<int>(i + 1)));
  emit_for(b, p.begin, p.end, 1, [&](llvm::Value* r) {
    int64_t col = 0;
    for (size_t i = 0; i < ys.size(); ++i) {
      int64_t bytes = ir::dtype_row_bytes(dt, s.widths[i]);
      auto* src = byte_ptr(b, x, b.CreateAdd(b.CreateMul(r, i64c(b, ir::dtype_row_bytes(dt, s.whole.width))),
                                             i64c(b, ir::dtype_row_bytes(dt, col))));
      b.CreateMemCpy(byte_ptr(b, ys[i], b.CreateMul(r, i64c(b, bytes))), llvm::Align(1), src, llvm::Align(1), bytes);
      col += s.widths[i];
    }
  });
  b.CreateRetVoid();
}

}  // namespace

extern const Emitter kEmitSplit{"split", emit};

}  // namespace lmc::codegen
