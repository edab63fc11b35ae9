#include "codegen/llvm/blocks/block_values.h"

#include <vector>

namespace lmc::codegen {

namespace {

constexpr unsigned kPiece = 32;  // values per piece

}  // namespace

// The scale loaders take eight blocks, one per lane: the one block eight times, lane 0 read.
llvm::Value* kept_piece_values(Builder& b, ir::DType t, llvm::Value* block, int piece) {
  WeightBlock w = load_weight_block(b, t, block, piece);
  BlockScales sc = load_block_scales(b, t, std::vector<llvm::Value*>(8, block), piece);
  auto lane0 = [&](llvm::Value* v) { return splat(b, kPiece, b.CreateExtractElement(v, uint64_t{0})); };
  // A field of each value: with a second half's (q6_k, q3_k, q2_k), values 0..15 take the
  // first, 16..31 the second.
  auto by_half = [&](llvm::Value* first, llvm::Value* second) {
    if (!second) return lane0(first);
    std::vector<int> halves;
    for (unsigned i = 0; i < kPiece; ++i) halves.push_back(static_cast<int>(i < kPiece / 2 ? i : kPiece + i));
    return b.CreateShuffleVector(lane0(first), lane0(second), halves);
  };
  llvm::Value* q = nullptr;
  if (w.sign)
    q = b.CreateSIToFP(w.sign, f32x(b, kPiece));
  else if (int zero = zero_point(t))  // u - zero in i32, exact
    q = b.CreateSIToFP(b.CreateSub(b.CreateZExt(w.u, i32x(b, kPiece)), splat(b, kPiece, b.getInt32(zero))),
                       f32x(b, kPiece));
  else
    q = b.CreateUIToFP(w.u, f32x(b, kPiece));
  llvm::Value* v = b.CreateFMul(q, by_half(sc.d, sc.d_hi));
  if (sc.m) v = b.CreateFAdd(v, by_half(sc.m, sc.m_hi));
  return v;
}

}  // namespace lmc::codegen
