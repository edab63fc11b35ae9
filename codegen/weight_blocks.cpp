#include "codegen/weight_blocks.h"

namespace lmc::codegen {

namespace {

llvm::Type* i8x(Builder& b, unsigned n) { return llvm::FixedVectorType::get(b.getInt8Ty(), n); }

std::vector<int> iota(int from, int n) {
  std::vector<int> v;
  for (int i = 0; i < n; ++i) v.push_back(from + i);
  return v;
}

// Where the parts of a 4- or 5-bit block lie (GGUF): f16 d, then f16 m (the _1 types),
// then 4 bytes of fifth bits (the q5 types), then 16 bytes of nibbles.
struct Layout {
  bool has_min, has_high;
  int64_t high() const { return has_min ? 4 : 2; }
  int64_t nibbles() const { return high() + (has_high ? 4 : 0); }
};

Layout layout(ir::DType t) {
  return {t == ir::DType::q4_1 || t == ir::DType::q5_1, t == ir::DType::q5_0 || t == ir::DType::q5_1};
}

llvm::Value* splat_i8(Builder& b, unsigned n, uint8_t v) {
  return llvm::ConstantVector::getSplat(llvm::ElementCount::getFixed(n), b.getInt8(v));
}

// The 32 unsigned quants: element j's low four bits in byte j's low nibble (j < 16) or
// byte j-16's high one; its fifth bit, for q5 types, bit j of the 32-bit word before them.
llvm::Value* unsigned_quants(Builder& b, ir::DType t, llvm::Value* block) {
  Layout l = layout(t);
  auto* v = b.CreateAlignedLoad(i8x(b, 16), byte_ptr(b, block, i64c(b, l.nibbles())), llvm::Align(1));
  auto* q = b.CreateShuffleVector(b.CreateAnd(v, splat_i8(b, 16, 0x0F)), b.CreateLShr(v, splat_i8(b, 16, 4)),
                                  iota(0, 32));
  if (!l.has_high) return q;
  auto* bits = b.CreateAlignedLoad(b.getInt32Ty(), byte_ptr(b, block, i64c(b, l.high())), llvm::Align(1));
  auto* mask = b.CreateBitCast(bits, llvm::FixedVectorType::get(b.getInt1Ty(), 32));
  return b.CreateOr(q, b.CreateShl(b.CreateZExt(mask, i8x(b, 32)), splat_i8(b, 32, 4)));
}

llvm::Value* scale(Builder& b, llvm::Value* block, int64_t at) {
  return splat(b, 8, load_f16_as_f32(b, byte_ptr(b, block, i64c(b, at))));
}

// The per-element offset: m (the _1 types), or minus half the quants' range times d.
llvm::Value* offset(Builder& b, ir::DType t, llvm::Value* block, llvm::Value* d) {
  Layout l = layout(t);
  if (l.has_min) return scale(b, block, 2);
  return b.CreateFMul(d, splat_f32(b, 8, l.has_high ? -16.0f : -8.0f));
}

}  // namespace

WeightBlock load_weight_block(Builder& b, ir::DType t, llvm::Value* block) {
  llvm::Value* d = scale(b, block, 0);
  if (t == ir::DType::q8_0) {
    auto* w = b.CreateAlignedLoad(i8x(b, 32), byte_ptr(b, block, i64c(b, 2)), llvm::Align(1));
    return {b.CreateBinaryIntrinsic(llvm::Intrinsic::abs, w, b.getFalse()), w, d, nullptr};
  }
  return {unsigned_quants(b, t, block), nullptr, d, offset(b, t, block, d)};
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
  llvm::Value* q = unsigned_quants(b, t, block);
  llvm::Value* m = offset(b, t, block, d);
  for (int i = 0; i < 4; ++i) {
    auto* f = b.CreateUIToFP(b.CreateZExt(b.CreateShuffleVector(q, iota(8 * i, 8)), i32x8), f32x(b, 8));
    store_f32x(b, fma(b, f, d, m), f32_ptr(b, dst, i64c(b, 8 * i)));
  }
}

}  // namespace lmc::codegen
