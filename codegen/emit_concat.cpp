// concat(a[R,A], b[R,B], ...) {axis = 1} -> y[R, A+B+...]: each row of y is the rows
// of the operands side by side. Work items: rows.
#include <llvm/IR/Function.h>

#include "codegen/desc_access.h"
#include "codegen/emitter.h"
#include "codegen/llvm_helpers.h"

namespace lmc::codegen {

namespace {

struct Shape {
  Rows y;
  std::vector<int64_t> widths;  // of the operands
};

Shape shape(const KernelDesc& d) {
  if (d.operands.empty() || d.results.size() != 1) desc_error(d, "expected operands and 1 result");
  if (attr_int_or(d, "axis", 1) != 1) desc_error(d, "only axis = 1 (columns) is supported");
  Shape s{expect_rows(d, d.results[0], "result"), {}};
  int64_t total = 0;
  for (const auto& x : d.operands) {
    Rows r = expect_rows(d, x, "operand");
    if (x.dtype != d.results[0].dtype || !(r.rows == s.y.rows))
      desc_error(d, "operands must have the result's dtype and rows, got " + x.str());
    s.widths.push_back(r.width);
    total += r.width;
  }
  if (total != s.y.width) desc_error(d, "operand widths must add up to the result width");
  return s;
}

void emit(llvm::Function& fn, const KernelDesc& d) {
  Shape s = shape(d);
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
      auto* dst = byte_ptr(b, y, b.CreateAdd(b.CreateMul(r, i64c(b, ir::dtype_row_bytes(dt, s.y.width))),
                                             i64c(b, ir::dtype_row_bytes(dt, col))));
      b.CreateMemCpy(dst, llvm::Align(1), byte_ptr(b, xs[i], b.CreateMul(r, i64c(b, bytes))), llvm::Align(1), bytes);
      col += s.widths[i];
    }
  });
  b.CreateRetVoid();
}

KernelInfo info(const KernelDesc& d) {
  Shape s = shape(d);
  return row_items(s.y.rows, 2 * ir::dtype_row_bytes(d.results[0].dtype, s.y.width));
}

}  // namespace

extern const Emitter kEmitConcat{"concat", emit, info};

}  // namespace lmc::codegen
