#include "codegen/concat_shape.h"

namespace lmc::codegen {

ConcatShape concat_shape(const KernelDesc& d) {
  if (d.operands.empty() || d.results.size() != 1) desc_error(d, "expected operands and 1 result");
  if (attr_int_or(d, "axis", 1) != 1) desc_error(d, "only axis = 1 (columns) is supported");
  ConcatShape s{expect_rows(d, d.results[0], "result"), {}};
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

KernelInfo concat_work_items(const KernelDesc& d) {
  ConcatShape s = concat_shape(d);
  return row_items(s.y.rows, 2 * ir::dtype_row_bytes(d.results[0].dtype, s.y.width));
}

}  // namespace lmc::codegen
