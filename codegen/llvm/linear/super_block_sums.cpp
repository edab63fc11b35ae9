#include "codegen/llvm/linear/super_block_sums.h"

#include "codegen/llvm/blocks/weight_blocks.h"

namespace lmc::codegen {

namespace {

constexpr int kPieces = 8;

// A super-block's eight pieces' mins (i32 lanes, one column each) as four pmaddwd weights
// of two pieces each.
std::array<llvm::Value*, 4> min_pairs(Builder& b, const std::array<llvm::Value*, kPieces>& mins) {
  std::array<llvm::Value*, 4> pairs;
  for (size_t i = 0; i < pairs.size(); ++i) pairs[i] = i16_pairs(b, mins[2 * i], mins[2 * i + 1]);
  return pairs;
}

// acc + d·xs·isum − dmin·xs·Σ_j min_j·Σq_j for input row `slot`, xs the row's q8_K scale.
llvm::Value* add_super_block(Builder& b, const QuantizedRows& in, llvm::Value* slot, llvm::Value* super,
                             llvm::Value* isum, const std::array<llvm::Value*, 4>& pairs, llvm::Value* d,
                             llvm::Value* dmin, llvm::Value* acc) {
  const unsigned lanes = llvm::cast<llvm::FixedVectorType>(d->getType())->getNumElements();
  auto* blk0 = b.CreateMul(super, i64c(b, kPieces));
  llvm::Value* msum = nullptr;
  for (size_t i = 0; i < pairs.size(); ++i) {
    auto* xsums = b.CreateBitCast(splat(b, lanes, in.piece_sum_pair(b, slot, b.CreateAdd(blk0, i64c(b, 2 * i)))),
                                  i16x(b, 2 * lanes));
    // 16 lanes come from 512-bit VNNI tiles: one vpdpwssd, the i32 sums of pmaddwd and add.
    msum = add_weighted_pairs_i32(b, msum, xsums, b.CreateBitCast(pairs[i], i16x(b, 2 * lanes)), lanes == 16);
  }
  auto* xs = splat(b, lanes, in.scale(b, slot, blk0));
  acc = fma(b, b.CreateSIToFP(isum, f32x(b, lanes)), b.CreateFMul(d, xs), acc);
  return fma(b, b.CreateSIToFP(msum, f32x(b, lanes)), b.CreateFNeg(b.CreateFMul(dmin, xs)), acc);
}

}  // namespace

llvm::Value* i16_pairs(Builder& b, llvm::Value* low, llvm::Value* high) {
  auto* mask = llvm::ConstantInt::get(low->getType(), 0xFFFF);
  return b.CreateOr(b.CreateAnd(low, mask), b.CreateShl(high, llvm::ConstantInt::get(low->getType(), 16)));
}

Carried end_super_blocks(Builder& b, const QuantizedRows& in, const std::vector<llvm::Value*>& slots, int groups,
                         llvm::Value* super, const Carried& isums, const Carried& acc,
                         const std::function<llvm::Value*(int, int)>& min_of,
                         const std::function<std::array<llvm::Value*, 2>(int)>& d_of) {
  Carried next(acc.size());
  for (int g = 0; g < groups; ++g) {
    std::array<llvm::Value*, kPieces> mins;
    for (int j = 0; j < kPieces; ++j) mins[static_cast<size_t>(j)] = min_of(g, j);
    std::array<llvm::Value*, 4> pairs = min_pairs(b, mins);
    std::array<llvm::Value*, 2> d = d_of(g);
    for (size_t r = 0; r < slots.size(); ++r) {
      size_t at = r * static_cast<size_t>(groups) + static_cast<size_t>(g);
      next[at] = add_super_block(b, in, slots[r], super, isums[at], pairs, d[0], d[1], acc[at]);
    }
  }
  return next;
}

}  // namespace lmc::codegen
