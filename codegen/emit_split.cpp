// split(x[R,S]) {axis = 1, sizes} -> y_i[R,s_i]: consecutive column ranges of each
// row into separate results (the inverse of a fused projection's concat). Work
// items: rows.
#include <variant>

#include <llvm/IR/Function.h>

#include "codegen/desc_access.h"
#include "codegen/emitter.h"
#include "codegen/llvm_helpers.h"

namespace lmc::codegen {

namespace {

struct Shape {
  Rows x;
  std::vector<int64_t> widths;  // of the results
};

Shape shape(const KernelDesc& d) {
  if (d.operands.size() != 1 || d.results.empty()) desc_error(d, "expected 1 operand and at least 1 result");
  if (attr_int_or(d, "axis", 1) != 1) desc_error(d, "only axis = 1 (columns) is supported");
  Shape s{expect_rows(d, d.operands[0], "input"), {}};
  int64_t total = 0;
  for (const auto& y : d.results) {
    Rows r = expect_rows(d, y, "result");
    if (y.dtype != d.operands[0].dtype || !(r.rows == s.x.rows))
      desc_error(d, "results must have the input's dtype and rows, got " + y.str());
    s.widths.push_back(r.width);
    total += r.width;
  }
  if (total != s.x.width) desc_error(d, "result widths must add up to the input width");
  if (auto it = d.attrs.find("sizes"); it != d.attrs.end()) {
    const auto* sizes = std::get_if<std::vector<int64_t>>(&it->second);
    if (!sizes || *sizes != s.widths) desc_error(d, "attribute 'sizes' must list the result widths");
  }
  return s;
}

void emit(llvm::Function& fn, const KernelDesc& d) {
  Shape s = shape(d);
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
      auto* src = byte_ptr(b, x, b.CreateAdd(b.CreateMul(r, i64c(b, ir::dtype_row_bytes(dt, s.x.width))),
                                             i64c(b, ir::dtype_row_bytes(dt, col))));
      b.CreateMemCpy(byte_ptr(b, ys[i], b.CreateMul(r, i64c(b, bytes))), llvm::Align(1), src, llvm::Align(1), bytes);
      col += s.widths[i];
    }
  });
  b.CreateRetVoid();
}

KernelInfo info(const KernelDesc& d) {
  Shape s = shape(d);
  return row_items(s.x.rows, 2 * ir::dtype_row_bytes(d.operands[0].dtype, s.x.width));
}

}  // namespace

extern const Emitter kEmitSplit{"split", emit, info};

}  // namespace lmc::codegen
