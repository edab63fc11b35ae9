#include "codegen/moe_route_shape.h"

namespace lmc::codegen {

MoeRouteShape moe_route_shape(const KernelDesc& d) {
  expect_arity(d, 1, 2);
  MoeRouteShape s;
  s.logits = expect_f32_rows(d, d.operands[0], "logits");
  s.k = attr_int(d, "k");
  if (s.k <= 0 || s.k > s.logits.width) desc_error(d, "k must be 1 .. the expert count");
  std::string scoring = attr_string(d, "scoring");
  if (scoring != "softmax" && scoring != "sigmoid") desc_error(d, "scoring must be softmax or sigmoid");
  s.sigmoid = scoring == "sigmoid";
  s.norm_topk = attr_int_or(d, "norm_topk", 0) == 1;
  ir::Type ids{ir::DType::i32, {s.logits.rows, ir::Dim::of(s.k)}};
  ir::Type gates{ir::DType::f32, {s.logits.rows, ir::Dim::of(s.k)}};
  if (!(d.results[0] == ids) || !(d.results[1] == gates))
    desc_error(d, "results must be " + ids.str() + " and " + gates.str());
  return s;
}

KernelInfo moe_route_work_items(const KernelDesc& d) {
  MoeRouteShape s = moe_route_shape(d);
  return row_items(s.logits.rows, s.logits.width * 4 * s.k);
}

}  // namespace lmc::codegen
