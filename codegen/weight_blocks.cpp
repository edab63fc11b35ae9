#include "codegen/weight_blocks.h"

namespace lmc::codegen {

namespace {

llvm::Type* i8x(Builder& b, unsigned n) { return llvm::FixedVectorType::get(b.getInt8Ty(), n); }

std::vector<int> iota(int from, int n) {
  std::vector<int> v;
  for (int i = 0; i < n; ++i) v.push_back(from + i);
  return v;
}

// The 16 bytes of nibbles: elements 0..15 in the low nibbles, 16..31 in the high ones.
std::pair<llvm::Value*, llvm::Value*> nibbles(Builder& b, ir::DType t, llvm::Value* block) {
  int64_t at = t == ir::DType::q4_1 ? 4 : 2;
  auto* v = b.CreateAlignedLoad(i8x(b, 16), byte_ptr(b, block, i64c(b, at)), llvm::Align(1));
  auto* mask = llvm::ConstantVector::getSplat(llvm::ElementCount::getFixed(16), b.getInt8(0x0F));
  auto* four = llvm::ConstantVector::getSplat(llvm::ElementCount::getFixed(16), b.getInt8(4));
  return {b.CreateAnd(v, mask), b.CreateLShr(v, four)};
}

llvm::Value* scale(Builder& b, llvm::Value* block, int64_t at) {
  return splat(b, 8, load_f16_as_f32(b, byte_ptr(b, block, i64c(b, at))));
}

// The per-element offset of a q4 block: m (q4_1) or -8d (q4_0).
llvm::Value* offset(Builder& b, ir::DType t, llvm::Value* block, llvm::Value* d) {
  return t == ir::DType::q4_1 ? scale(b, block, 2) : b.CreateFMul(d, splat_f32(b, 8, -8.0f));
}

}  // namespace

WeightBlock load_weight_block(Builder& b, ir::DType t, llvm::Value* block) {
  llvm::Value* d = scale(b, block, 0);
  if (t == ir::DType::q8_0) {
    auto* w = b.CreateAlignedLoad(i8x(b, 32), byte_ptr(b, block, i64c(b, 2)), llvm::Align(1));
    return {b.CreateBinaryIntrinsic(llvm::Intrinsic::abs, w, b.getFalse()), w, d, nullptr};
  }
  auto [lo, hi] = nibbles(b, t, block);
  return {b.CreateShuffleVector(lo, hi, iota(0, 32)), nullptr, d, offset(b, t, block, d)};
}

void dequantize_weight_block(Builder& b, ir::DType t, llvm::Value* block, llvm::Value* dst) {
  auto* i32x8 = llvm::FixedVectorType::get(b.getInt32Ty(), 8);
  llvm::Value* d = scale(b, block, 0);
  if (t == ir::DType::q8_0) {
    for (int i = 0; i < 4; ++i) {
      auto* q = b.CreateAlignedLoad(i8x(b, 8), byte_ptr(b, block, i64c(b, 2 + 8 * i)), llvm::Align(1));
      store_f32x(b, b.CreateFMul(b.CreateSIToFP(b.CreateSExt(q, i32x8), f32x(b, 8)), d), f32_ptr(b, dst, i64c(b, 8 * i)));
    }
    return;
  }
  auto [lo, hi] = nibbles(b, t, block);
  llvm::Value* m = offset(b, t, block, d);
  llvm::Value* halves[2] = {lo, hi};
  for (int i = 0; i < 4; ++i) {
    auto* q = b.CreateShuffleVector(halves[i / 2], iota(8 * (i % 2), 8));
    auto* f = b.CreateUIToFP(b.CreateZExt(q, i32x8), f32x(b, 8));
    store_f32x(b, fma(b, f, d, m), f32_ptr(b, dst, i64c(b, 8 * i)));
  }
}

}  // namespace lmc::codegen
