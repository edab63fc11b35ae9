#include "codegen/linear_shape.h"

#include <algorithm>
#include <string>

#include "codegen/prefill_choice.h"
#include "ir/prefill_kernel.h"
#include "support/error.h"

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

LinearShape weight_part(const KernelDesc& d, const ir::Type& w, int64_t col0) {
  LinearShape s;
  ir::DType base = ir::panel_base(w.dtype);
  bool known = w.dtype == ir::DType::f32 || base == ir::DType::q8_0 || ir::is_kept_from_source(base);
  if (!known || w.rank() != 2 || !w.is_static())
    fail(d,
         "weight must be f32, q8_0, a block type kept from a file (q4_0 ... iq4_xs) or one of their x16 panels with "
         "static [N,K], got " +
             w.str());
  s.wtype = w.dtype;
  s.N = w.dims[0].value;
  s.K = w.dims[1].value;
  s.col0 = col0;
  if (s.N <= 0 || s.K <= 0) fail(d, "empty weight");
  if (s.K % ir::dtype_block_elems(s.wtype)) fail(d, "K must be a multiple of the weight's block size");
  if (s.N % s.col_unit()) fail(d, "N must be whole panels of " + std::to_string(s.col_unit()) + " rows");
  return s;
}

}  // namespace

int64_t LinearShape::w_row_bytes() const { return ir::dtype_row_bytes(wtype, K); }

LinearParts linear_parts(const KernelDesc& d, const FusedRegion& r) {
  const ir::Op& a = *r.anchor;
  if (a.operands().size() < 2 || a.num_results() != 1) fail(d, "expected an input, weights and 1 result");
  LinearParts out;
  for (size_t i = 1; i < a.operands().size(); ++i) {
    out.parts.push_back(weight_part(d, a.operand(i)->type(), out.N));
    out.N += out.parts.back().N;
    out.unit = std::max(out.unit, out.parts.back().col_unit());
  }
  const int64_t K = out.parts[0].K;
  const ir::Type& x = a.operand(0)->type();
  if (x.rank() != 2) fail(d, "input must be rank 2, got " + x.str());
  for (LinearShape& s : out.parts) {
    if (s.K != K) fail(d, "weight parts differ in input dim");
    if (s.N % out.unit) fail(d, "a part's rows must be whole panels of " + std::to_string(out.unit) + " rows");
    s.rows = x.dims[0];
  }
  expect_rows(d, x, x.dims[0], K, "input");
  expect_rows(d, a.result()->type(), x.dims[0], out.N, "result");
  return out;
}

bool takes_bf16_tiles(const KernelDesc& d, const FusedRegion& r, const LinearParts& s) {
  std::vector<ir::DType> parts;
  for (const LinearShape& p : s.parts) parts.push_back(p.wtype);
  return ir::prefill_kernel(*r.anchor) == ir::PrefillKernel::Bf16Tiles && bf16_tiles_take(parts);
}

KernelInfo linear_work_items(const KernelDesc& d) {
  const FusedRegion r = fused_region(d);
  LinearParts s = linear_parts(d, r);
  const ir::Dim& rows = s.parts[0].rows;
  KernelInfo k;
  k.fixed = s.N / s.unit;
  // A split must leave each call enough columns to amortise quantizing the input.
  k.grain = std::max<int64_t>(1, 64 / s.unit);
  if (rows.sym) {
    k.sym = *rows.sym;
    k.rows_from = kPrefillMinRows;
    if (takes_bf16_tiles(d, r, s)) k.cols_from = kBf16TileMinRows;
  } else if (rows.value >= kPrefillMinRows && !(rows.value >= kBf16TileMinRows && takes_bf16_tiles(d, r, s))) {
    k.fixed = rows.value;
    k.grain = kDecodeMaxRows;
  }
  return k;
}

}  // namespace lmc::codegen
