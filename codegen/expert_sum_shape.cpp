#include "codegen/expert_sum_shape.h"

namespace lmc::codegen {

ExpertSumShape expert_sum_shape(const KernelDesc& d) {
  expect_arity(d, 2, 1);
  const ir::Type& y = d.operands[0];
  if (y.dtype != ir::DType::f32 || y.rank() != 3 || !y.dims[1].is_static() || !y.dims[2].is_static())
    desc_error(d, "input must be f32[R, k, D] with static k and D, got " + y.str());
  ExpertSumShape s{y.dims[0], y.dims[1].value, y.dims[2].value};
  if (!(d.operands[1] == ir::Type{ir::DType::f32, {s.rows, ir::Dim::of(s.k)}}))
    desc_error(d, "gates must be f32[" + s.rows.str() + "," + std::to_string(s.k) + "]");
  if (!(d.results[0] == ir::Type{ir::DType::f32, {s.rows, ir::Dim::of(s.D)}}))
    desc_error(d, "result must be f32[" + s.rows.str() + "," + std::to_string(s.D) + "]");
  return s;
}

KernelInfo expert_sum_work_items(const KernelDesc& d) {
  ExpertSumShape s = expert_sum_shape(d);
  return row_items(s.rows, s.k * s.D * 4);
}

}  // namespace lmc::codegen
