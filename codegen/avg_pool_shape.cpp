#include "codegen/avg_pool_shape.h"

namespace lmc::codegen {

AvgPoolShape avg_pool_shape(const KernelDesc& d) {
  expect_arity(d, 1, 1);
  AvgPoolShape s{expect_f32_rows(d, d.operands[0], "grid"), attr_int(d, "side"), attr_int(d, "window")};
  if (s.side <= 0 || s.window <= 0 || s.side % s.window) desc_error(d, "side must be a positive multiple of window");
  const ir::Dim& rows = s.x.rows;
  if (rows.is_static() ? rows.value != s.side * s.side : rows.sym != ir::Sym::T)
    desc_error(d, "the grid must have side² rows or T");
  Rows y = expect_f32_rows(d, d.results[0], "result");
  if (!(y.rows == ir::Dim::of(s.pooled_side() * s.pooled_side())) || y.width != s.x.width)
    desc_error(d, "the result must have (side / window)² rows of the grid's width");
  return s;
}

KernelInfo avg_pool_work_items(const KernelDesc& d) {
  AvgPoolShape s = avg_pool_shape(d);
  return row_items(ir::Dim::of(s.pooled_side() * s.pooled_side()), s.window * s.window * s.x.width * 4);
}

}  // namespace lmc::codegen
