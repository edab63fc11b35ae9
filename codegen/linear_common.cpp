#include "codegen/linear_common.h"

namespace lmc::codegen {

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

void prefetch_ahead(Builder& b, llvm::Value* p, int64_t distance) { prefetch_ahead(b, p, i64c(b, distance)); }

void prefetch_ahead(Builder& b, llvm::Value* p, llvm::Value* distance) {
  // A plain (not inbounds) address: it may point past the weights near their end,
  // which a prefetch tolerates.
  auto* at = b.CreateGEP(b.getInt8Ty(), p, distance);
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
