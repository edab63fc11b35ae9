#include "codegen/quantized_rows.h"

namespace lmc::codegen {

namespace {

std::vector<int> iota(int n) {
  std::vector<int> v;
  for (int i = 0; i < n; ++i) v.push_back(i);
  return v;
}

}  // namespace

QuantizedRows::QuantizedRows(Builder& b, int64_t rows, int64_t K, bool sums)
    : K_(K),
      q_(stack_array(b, b.getInt8Ty(), rows * K)),
      d_(stack_array(b, b.getFloatTy(), rows * K / kBlock)),
      sum_(sums ? stack_array(b, b.getFloatTy(), rows * K / kBlock) : nullptr) {}

llvm::Value* QuantizedRows::slot_block(Builder& b, llvm::Value* slot, llvm::Value* blk) const {
  return b.CreateAdd(b.CreateMul(slot, i64c(b, blocks())), blk);
}

llvm::Value* QuantizedRows::quants(Builder& b, llvm::Value* slot, llvm::Value* k) const {
  return byte_ptr(b, q_, b.CreateAdd(b.CreateMul(slot, i64c(b, K_)), k));
}

llvm::Value* QuantizedRows::scale(Builder& b, llvm::Value* slot, llvm::Value* blk) const {
  return b.CreateLoad(b.getFloatTy(), f32_ptr(b, d_, slot_block(b, slot, blk)));
}

llvm::Value* QuantizedRows::sum(Builder& b, llvm::Value* slot, llvm::Value* blk) const {
  return b.CreateLoad(b.getFloatTy(), f32_ptr(b, sum_, slot_block(b, slot, blk)));
}

void QuantizedRows::fill(Builder& b, LinearIO& io, llvm::Value* t0, llvm::Value* rows) const {
  emit_for(b, i64c(b, 0), rows, 1, [&](llvm::Value* r) {
    emit_for(b, i64c(b, 0), i64c(b, blocks()), 1, [&](llvm::Value* blk) {
      fill_block(b, io, b.CreateAdd(t0, r), r, blk);
    }, "qb");
  }, "qr");
}

void QuantizedRows::fill_block(Builder& b, LinearIO& io, llvm::Value* t, llvm::Value* slot,
                               llvm::Value* blk) const {
  llvm::Value* v[4];
  llvm::Value* amax = nullptr;
  for (int i = 0; i < 4; ++i) {
    v[i] = io.load_input(t, b.CreateAdd(b.CreateMul(blk, i64c(b, kBlock)), i64c(b, 8 * i)), 8);
    amax = amax ? vmax(b, amax, vabs(b, v[i])) : vabs(b, v[i]);
  }
  auto* m = hmax(b, amax);
  auto* d = b.CreateFDiv(m, f32c(b, 127.0f));
  auto* inv = b.CreateSelect(b.CreateFCmpOGT(m, f32c(b, 0.0f)), b.CreateFDiv(f32c(b, 127.0f), m), f32c(b, 0.0f));
  llvm::Value* q[4];
  for (int i = 0; i < 4; ++i) {
    auto* rounded = b.CreateUnaryIntrinsic(llvm::Intrinsic::roundeven, b.CreateFMul(v[i], splat(b, 8, inv)));
    q[i] = b.CreateFPToSI(rounded, i32x(b, 8));
  }
  auto* q32 = b.CreateShuffleVector(b.CreateShuffleVector(q[0], q[1], iota(16)),
                                    b.CreateShuffleVector(q[2], q[3], iota(16)), iota(32));
  b.CreateAlignedStore(b.CreateTrunc(q32, i8x(b, 32)), quants(b, slot, b.CreateMul(blk, i64c(b, kBlock))),
                       llvm::Align(32));
  auto* at = slot_block(b, slot, blk);
  b.CreateStore(d, f32_ptr(b, d_, at));
  if (!sum_) return;
  auto* total = b.CreateSIToFP(b.CreateAddReduce(b.CreateAdd(b.CreateAdd(q[0], q[1]), b.CreateAdd(q[2], q[3]))),
                               b.getFloatTy());
  b.CreateStore(b.CreateFMul(total, d), f32_ptr(b, sum_, at));
}

}  // namespace lmc::codegen
