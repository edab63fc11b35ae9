#include "codegen/super_block_sums.h"

#include "codegen/weight_blocks.h"

namespace lmc::codegen {

llvm::Value* i16_pairs(Builder& b, llvm::Value* low, llvm::Value* high) {
  auto* mask = llvm::ConstantInt::get(i32x(b, 8), 0xFFFF);
  return b.CreateOr(b.CreateAnd(low, mask), b.CreateShl(high, llvm::ConstantInt::get(i32x(b, 8), 16)));
}

std::array<llvm::Value*, 4> min_pairs(Builder& b, const std::array<llvm::Value*, 8>& mins) {
  std::array<llvm::Value*, 4> pairs;
  for (size_t i = 0; i < pairs.size(); ++i) pairs[i] = i16_pairs(b, mins[2 * i], mins[2 * i + 1]);
  return pairs;
}

llvm::Value* add_super_block(Builder& b, const QuantizedRows& in, llvm::Value* slot, llvm::Value* super,
                             llvm::Value* isum, const std::array<llvm::Value*, 4>& pairs, llvm::Value* d,
                             llvm::Value* dmin, llvm::Value* acc) {
  auto* blk0 = b.CreateMul(super, i64c(b, 8));
  llvm::Value* msum = nullptr;
  for (size_t i = 0; i < pairs.size(); ++i) {
    auto* xsums = b.CreateBitCast(splat(b, 8, in.piece_sum_pair(b, slot, b.CreateAdd(blk0, i64c(b, 2 * i)))),
                                  i16x(b, 16));
    auto* m = weighted_pairs_i32(b, xsums, b.CreateBitCast(pairs[i], i16x(b, 16)));
    msum = msum ? b.CreateAdd(msum, m) : m;
  }
  auto* xs = splat(b, 8, in.scale(b, slot, blk0));
  acc = fma(b, b.CreateSIToFP(isum, f32x(b, 8)), b.CreateFMul(d, xs), acc);
  return fma(b, b.CreateSIToFP(msum, f32x(b, 8)), b.CreateFNeg(b.CreateFMul(dmin, xs)), acc);
}

}  // namespace lmc::codegen
