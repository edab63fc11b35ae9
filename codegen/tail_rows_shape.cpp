#include "codegen/tail_rows_shape.h"

namespace lmc::codegen {

TailRowsShape tail_rows_shape(const KernelDesc& d) {
  expect_arity(d, 1, 1);
  TailRowsShape s{expect_rows(d, d.operands[0], "input"), expect_rows(d, d.results[0], "result")};
  if (d.results[0].dtype != d.operands[0].dtype || s.y.width != s.x.width)
    desc_error(d, "result rows must match the input's dtype and width");
  s.row_bytes = ir::dtype_row_bytes(d.operands[0].dtype, s.x.width);
  return s;
}

KernelInfo tail_rows_work_items(const KernelDesc& d) {
  TailRowsShape s = tail_rows_shape(d);
  return row_items(s.y.rows, 2 * s.row_bytes);
}

}  // namespace lmc::codegen
