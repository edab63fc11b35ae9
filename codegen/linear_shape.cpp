#include "codegen/linear_shape.h"

#include <algorithm>
#include <string>

#include "ir/error.h"

namespace lmc::codegen {

namespace {

[[noreturn]] void fail(const KernelDesc& d, const std::string& what) {
  throw Error("codegen: error: linear kernel " + d.key() + ": " + what);
}

bool is_static_dim(const ir::Dim& d, int64_t v) { return d.is_static() && d.value == v; }

void expect_rows(const KernelDesc& d, const ir::Type& t, const ir::Dim& rows, int64_t cols, const char* what) {
  if (t.dtype != ir::DType::f32 || t.rank() != 2 || !(t.dims[0] == rows) || !is_static_dim(t.dims[1], cols))
    fail(d, std::string(what) + " must be f32[" + rows.str() + "," + std::to_string(cols) + "], got " + t.str());
}

}  // namespace

int64_t LinearShape::w_row_bytes() const { return ir::dtype_row_bytes(wtype, K); }

LinearShape linear_shape(const KernelDesc& d, const FusedRegion& r) {
  const ir::Op& a = *r.anchor;
  if (a.operands().size() != 2 || a.num_results() != 1) fail(d, "expected 2 operands and 1 result");
  LinearShape s;
  const ir::Type& w = a.operand(1)->type();
  ir::DType base = ir::panel_base(w.dtype);
  bool known = w.dtype == ir::DType::f32 || base == ir::DType::q8_0 || ir::is_kept_from_source(base);
  if (!known || w.rank() != 2 || !w.is_static())
    fail(d, "weight must be f32, q8_0, a block type kept from a file (q4_0 ... iq4_xs) or one of their x16 panels with static [N,K], got " +
                w.str());
  s.wtype = w.dtype;
  s.N = w.dims[0].value;
  s.K = w.dims[1].value;
  if (s.N <= 0 || s.K <= 0) fail(d, "empty weight");
  if (s.K % ir::dtype_block_elems(s.wtype)) fail(d, "K must be a multiple of the weight's block size");
  if (s.N % s.col_unit()) fail(d, "N must be whole panels of " + std::to_string(s.col_unit()) + " rows");
  const ir::Type& x = a.operand(0)->type();
  if (x.rank() != 2) fail(d, "input must be rank 2, got " + x.str());
  s.rows = x.dims[0];
  expect_rows(d, x, s.rows, s.K, "input");
  expect_rows(d, a.result()->type(), s.rows, s.N, "result");
  return s;
}

KernelInfo linear_work_items(const KernelDesc& d) {
  FusedRegion r = fused_region(d);
  LinearShape s = linear_shape(d, r);
  KernelInfo k;
  k.fixed = s.N / s.col_unit();
  // A split must leave each part enough columns to amortise quantizing the input.
  k.grain = std::max<int64_t>(1, 64 / s.col_unit());
  if (s.rows.sym) {
    k.sym = *s.rows.sym;
    k.rows_from = kPrefillMinRows;
  } else if (s.rows.value >= kPrefillMinRows) {
    k.fixed = s.rows.value;
    k.grain = kDecodeMaxRows;
  }
  return k;
}

}  // namespace lmc::codegen
