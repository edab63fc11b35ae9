#include "codegen/linear_common.h"

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
    fail(d, "weight must be f32, q8_0, q4_0, q4_1, q5_0, q5_1 or one of their x16 panels with static [N,K], got " +
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

LinearIO::LinearIO(Builder& b, const KernelParams& p, const FusedRegion& r, const LinearShape& s)
    : b_(b), region_(r), s_(s), io_(b, p, r) {
  if (r.plain_input) x_ = io_.arg(r.anchor->operand(0));
  w_ = io_.arg(r.anchor->operand(1));
  T_ = dim_value(b, p, s.rows);
  begin_ = p.begin;
  end_ = p.end;
}

llvm::Value* LinearIO::load_input(llvm::Value* t, llvm::Value* k, unsigned lanes, llvm::Value* count) {
  if (!region_.plain_input) return io_.load_prologue(t, k, lanes, count);
  llvm::Value* ptr = f32_ptr(b_, x_, b_.CreateAdd(b_.CreateMul(t, i64c(b_, s_.K)), k));
  return count ? masked_load_f32x(b_, ptr, lanes, count) : load_f32x(b_, ptr, lanes);
}

void prefetch_ahead(Builder& b, llvm::Value* p, int64_t distance) {
  // A plain (not inbounds) address: it may point past the weights near their end,
  // which a prefetch tolerates.
  auto* at = b.CreateGEP(b.getInt8Ty(), p, i64c(b, distance));
  b.CreateIntrinsic(llvm::Intrinsic::prefetch, {b.getPtrTy()}, {at, b.getInt32(0), b.getInt32(2), b.getInt32(1)});
}

llvm::Value* LinearIO::weight_row(llvm::Value* n) { return byte_ptr(b_, w_, b_.CreateMul(n, i64c(b_, s_.w_row_bytes()))); }

void LinearIO::store_output(llvm::Value* t, llvm::Value* n, llvm::Value* v, unsigned lanes, llvm::Value* count) {
  if (!region_.plain_output) return io_.store_output(t, n, v, lanes, count);
  llvm::Value* ptr = f32_ptr(b_, acc(), b_.CreateAdd(b_.CreateMul(t, i64c(b_, s_.N)), n));
  if (lanes == 1) b_.CreateStore(v, ptr);
  else masked_store_f32x(b_, v, ptr, count ? count : i64c(b_, lanes));
}

}  // namespace lmc::codegen
