#include "codegen/bf16_panels_shape.h"

namespace lmc::codegen {

Bf16PanelsShape bf16_panels_shape(const KernelDesc& d) {
  expect_arity(d, 1, 1);
  const ir::Type& w = d.operands[0];
  if (w.rank() != 2 || !w.dims[0].is_static() || !w.dims[1].is_static() || !ir::is_quantized(w.dtype))
    desc_error(d, "weight must be a static [N,K] of a block type, got " + w.str());
  Bf16PanelsShape s;
  s.weight.wtype = w.dtype;
  s.weight.N = w.dims[0].value;
  s.weight.K = w.dims[1].value;
  if (s.weight.K % 32 || s.weight.N % s.weight.col_unit())
    desc_error(d, "weight must be whole blocks of 32 and whole panels, got " + w.str());
  s.columns = (s.weight.N + 31) / 32 * 32;
  const ir::Type want{ir::DType::bf16, {ir::Dim::of(s.columns), ir::Dim::of(s.weight.K)}};
  if (!(d.results[0] == want)) desc_error(d, "result must be " + want.str() + ", got " + d.results[0].str());
  return s;
}

KernelInfo bf16_panels_work_items(const KernelDesc& d) {
  Bf16PanelsShape s = bf16_panels_shape(d);
  KernelInfo k;
  k.fixed = s.columns / 32;
  k.grain = 4;
  return k;
}

}  // namespace lmc::codegen
