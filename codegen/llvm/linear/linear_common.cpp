#include "codegen/llvm/linear/linear_common.h"

#include "codegen/llvm/blocks/weight_blocks.h"

namespace lmc::codegen {

LinearIO::LinearIO(Builder& b, const KernelParams& p, const FusedRegion& r, const LinearParts& s)
    : b_(b), region_(r), s_(s), io_(b, p, r) {
  if (r.plain_input) x_ = io_.arg(r.anchor->operand(0));
  T_ = dim_value(b, p, s.parts[0].rows);
  begin_ = p.begin;
  end_ = p.end;
  const ir::Graph& body = *r.body;
  defers_ = !r.plain_output && body.outputs()[0]->type() == r.anchor->result()->type();
  select(0);
}

void LinearIO::select(size_t part) {
  part_ = part;
  w_ = io_.arg(region_.anchor->operand(part + 1));
}

llvm::Value* LinearIO::part_columns(llvm::Value* item) const {
  llvm::Value* n = s_.unit == 1 ? item : b_.CreateMul(item, i64c(b_, s_.unit));
  if (s_.parts.size() == 1) return n;
  n = b_.CreateSub(n, i64c(b_, part().col0));
  return min64(b_, b_.CreateSelect(b_.CreateICmpSLT(n, i64c(b_, 0)), i64c(b_, 0), n), i64c(b_, part().N));
}

llvm::Value* LinearIO::load_input(llvm::Value* t, llvm::Value* k, unsigned lanes, llvm::Value* count) {
  if (!region_.plain_input) return io_.load_prologue(t, k, lanes, count);
  llvm::Value* ptr = f32_ptr(b_, x_, b_.CreateAdd(b_.CreateMul(t, i64c(b_, part().K)), k));
  return count ? masked_load_f32x(b_, ptr, lanes, count) : load_f32x(b_, ptr, lanes);
}

void prefetch_ahead(Builder& b, llvm::Value* p, int64_t distance) { prefetch_ahead(b, p, i64c(b, distance)); }

void prefetch_ahead(Builder& b, llvm::Value* p, llvm::Value* distance) {
  // A plain (not inbounds) address: it may point past the weights near their end,
  // which a prefetch tolerates.
  auto* at = b.CreateGEP(b.getInt8Ty(), p, distance);
  b.CreateIntrinsic(llvm::Intrinsic::prefetch, {b.getPtrTy()}, {at, b.getInt32(0), b.getInt32(2), b.getInt32(1)});
}

llvm::Value* LinearIO::weight_row(llvm::Value* n) {
  return byte_ptr(b_, w_, b_.CreateMul(n, i64c(b_, part().w_row_bytes())));
}

llvm::Value* LinearIO::result_column(llvm::Value* n) const {
  return part().col0 ? b_.CreateAdd(n, i64c(b_, part().col0)) : n;
}

llvm::Value* LinearIO::acc_at(llvm::Value* t, llvm::Value* n) const {
  return f32_ptr(b_, acc(), b_.CreateAdd(b_.CreateMul(t, i64c(b_, s_.N)), result_column(n)));
}

void LinearIO::store_output(llvm::Value* t, llvm::Value* n, llvm::Value* v, unsigned lanes, llvm::Value* count) {
  if (!region_.plain_output) return io_.store_output(t, result_column(n), v, lanes, count);
  store_sums(t, n, v, lanes, count);
}

void LinearIO::store_sums(llvm::Value* t, llvm::Value* n, llvm::Value* v, unsigned lanes, llvm::Value* count) {
  llvm::Value* ptr = acc_at(t, n);
  if (lanes == 1)
    b_.CreateStore(v, ptr);
  else
    masked_store_f32x(b_, v, ptr, count ? count : i64c(b_, lanes));
}

void LinearIO::finish_outputs(llvm::Value* t0, llvm::Value* rows, llvm::Value* n0, llvm::Value* n1) {
  const unsigned lanes = region_.lanes;
  emit_for(
      b_, i64c(b_, 0), rows, 1,
      [&](llvm::Value* r) {
        llvm::Value* t = b_.CreateAdd(t0, r);
        emit_chunks(b_, n0, n1, lanes, [&](llvm::Value* n, llvm::Value* count) {
          io_.store_output(t, result_column(n), load_f32x_n(b_, acc_at(t, n), lanes, count), lanes, count);
        });
      },
      "epilogue");
}

}  // namespace lmc::codegen
