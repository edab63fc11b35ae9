#include "codegen/rope_shape.h"

namespace lmc::codegen {

RopeShape rope_shape(const KernelDesc& d) {
  expect_arity(d, 2, 1);
  RopeShape s{expect_f32_rows(d, d.operands[0], "input")};
  expect_row_ids(d, d.operands[1], s.x.rows, "positions");
  if (!(d.results[0] == d.operands[0])) desc_error(d, "result must have the input's type");
  s.head_dim = attr_int(d, "head_dim");
  if (s.head_dim <= 0 || s.head_dim % 2 || s.x.width % s.head_dim)
    desc_error(d, "head_dim must be even and divide the row width");
  s.base = attr_float(d, "base");
  if (!(s.base > 0)) desc_error(d, "base must be positive");
  std::string style = attr_string(d, "style");
  if (style != "neox" && style != "normal") desc_error(d, "style must be \"neox\" or \"normal\"");
  s.neox = style == "neox";
  return s;
}

KernelInfo rope_work_items(const KernelDesc& d) {
  RopeShape s = rope_shape(d);
  return row_items(s.x.rows, s.x.width * 8);
}

}  // namespace lmc::codegen
