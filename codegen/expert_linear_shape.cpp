#include "codegen/expert_linear_shape.h"

#include <algorithm>

#include "codegen/linear_shape.h"

namespace lmc::codegen {

ExpertLinearShape expert_linear_shape(const KernelDesc& d) {
  expect_arity(d, 3, 1);
  const ir::Type& x = d.operands[0];
  const ir::Type& w = d.operands[1];
  const ir::Type& ids = d.operands[2];
  ExpertLinearShape s;
  if (ids.dtype != ir::DType::i32 || ids.rank() != 2 || !ids.dims[1].is_static())
    desc_error(d, "ids must be i32[R, k] with a static k, got " + ids.str());
  s.rows = ids.dims[0];
  s.k = ids.dims[1].value;
  if (w.rank() != 3 || !w.is_static()) desc_error(d, "weights must be static [E, N, K], got " + w.str());
  s.experts = w.dims[0].value;
  s.N = w.dims[1].value;
  s.K = w.dims[2].value;
  s.per_slot_input = x.rank() == 3;
  ir::Type want_x = s.per_slot_input ? ir::Type{ir::DType::f32, {s.rows, ir::Dim::of(s.k), ir::Dim::of(s.K)}}
                                     : ir::Type{ir::DType::f32, {s.rows, ir::Dim::of(s.K)}};
  if (!(x == want_x)) desc_error(d, "input must be " + want_x.str() + ", got " + x.str());
  if (!(d.results[0] == ir::Type{ir::DType::f32, {s.rows, ir::Dim::of(s.k), ir::Dim::of(s.N)}}))
    desc_error(d, "result must be f32[R, k, N]");
  s.inner.kind = "linear";
  s.inner.operands = {ir::Type{ir::DType::f32, {ir::Dim::symbolic(ir::Sym::T), ir::Dim::of(s.K)}},
                      ir::Type{w.dtype, {ir::Dim::of(s.N), ir::Dim::of(s.K)}}};
  s.inner.results = {ir::Type{ir::DType::f32, {ir::Dim::symbolic(ir::Sym::T), ir::Dim::of(s.N)}}};
  // The plain linear's own checks (dtype, block and panel multiples) hold for one expert.
  LinearShape one = linear_parts(s.inner, fused_region(s.inner)).parts.front();
  s.expert_bytes = one.N * one.w_row_bytes();
  s.col_unit = one.col_unit();
  // A quarter of a worker's stack at most: 4 MB is oneTBB's default on 64-bit.
  constexpr int64_t kGroupBytes = 256 * 1024;
  s.group_rows = std::clamp<int64_t>(kGroupBytes / ((s.K + s.N) * 4), 1, kDecodeMaxRows);
  return s;
}

KernelInfo expert_linear_work_items(const KernelDesc& d) {
  ExpertLinearShape s = expert_linear_shape(d);
  KernelInfo k;
  int64_t per_row = s.k * s.N / s.col_unit;
  if (s.rows.sym) {
    k.uses_sym = true;
    k.sym = *s.rows.sym;
    k.per_sym = per_row;
    k.rows_from = kGroupFromRows;
  } else {
    k.fixed = s.rows.value >= kGroupFromRows ? s.rows.value : per_row * s.rows.value;
  }
  // As a linear's: a part must have enough columns to amortise quantizing its input row.
  k.grain = std::max<int64_t>(1, 64 / s.col_unit);
  return k;
}

}  // namespace lmc::codegen
