#include "codegen/concat_shape.h"

namespace lmc::codegen {

ColumnParts concat_shape(const KernelDesc& d) {
  if (d.operands.empty() || d.results.size() != 1) desc_error(d, "expected operands and 1 result");
  return expect_column_parts(d, d.results[0], d.operands, "result", "operand");
}

KernelInfo concat_work_items(const KernelDesc& d) {
  ColumnParts s = concat_shape(d);
  return row_items(s.whole.rows, 2 * s.groups * ir::dtype_row_bytes(d.results[0].dtype, s.whole.width));
}

}  // namespace lmc::codegen
