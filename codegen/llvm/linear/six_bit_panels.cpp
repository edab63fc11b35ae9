#include "codegen/llvm/linear/six_bit_panels.h"

#include <array>

#include <llvm/IR/Function.h>
#include <llvm/IR/IntrinsicsX86.h>

#include "codegen/llvm/linear/int8_tile.h"
#include "codegen/llvm/linear/super_block_sums.h"

namespace lmc::codegen {

namespace {

using namespace int8_tile;

constexpr int kPieces = 8;

// u·s of unsigned bytes u and signed s, pairs summed into i16 lanes (pmaddubsw), 256- or
// 512-bit.
llvm::Value* madd_i16(Builder& b, llvm::Value* u, llvm::Value* s) {
  if (llvm::cast<llvm::FixedVectorType>(u->getType())->getNumElements() == 32) return byte_madd_i16(b, u, s);
  return b.CreateIntrinsic(llvm::Intrinsic::x86_avx512_pmaddubs_w_512, {}, {u, s});
}

// Sub-block `sub`'s scales of `lanes` columns from row0, each in both i16 of its lane: the
// pmaddwd weights of the half's i16 sums.
llvm::Value* half_weights(Builder& b, const WeightPanel& p, llvm::Value* super, llvm::Value* sub, int64_t row0,
                          unsigned lanes) {
  auto* scales = p.at.six_bit_scales(b, p.base, super, sub, row0, lanes);
  return b.CreateBitCast(i16_pairs(b, scales, scales), i16x(b, 2 * lanes));
}

}  // namespace

Carried end_six_bit_super(Builder& b, const QuantizedRows& in, const WeightPanel& p,
                          const std::vector<llvm::Value*>& slots, int groups, llvm::Value* super, const Carried& isums,
                          const Carried& acc) {
  const auto lanes = static_cast<unsigned>(kPanelCols / groups);
  auto* zero = splat(b, lanes, b.getInt32(static_cast<uint32_t>(zero_point(ir::DType::q6_k))));
  auto* blk0 = b.CreateMul(super, i64c(b, kPieces));
  Carried next(acc.size());
  for (int g = 0; g < groups; ++g) {
    const int64_t row0 = g * static_cast<int64_t>(lanes);
    // Piece j's two halves' scales as the low and high i16 of a lane, against a row's two Σq.
    std::array<llvm::Value*, kPieces> pairs;
    for (int j = 0; j < kPieces; ++j) {
      auto scales = [&](int half) { return p.at.six_bit_scales(b, p.base, super, i64c(b, 2 * j + half), row0, lanes); };
      pairs[static_cast<size_t>(j)] = b.CreateBitCast(i16_pairs(b, scales(0), scales(1)), i16x(b, 2 * lanes));
    }
    auto* d = p.at.six_bit_d(b, p.base, super, row0, lanes);
    for (size_t r = 0; r < slots.size(); ++r) {
      size_t at = r * static_cast<size_t>(groups) + static_cast<size_t>(g);
      llvm::Value* zsum = nullptr;
      for (int j = 0; j < kPieces; ++j) {
        auto* xsums = splat(b, lanes, in.quant_sum_pair(b, slots[r], b.CreateAdd(blk0, i64c(b, j))));
        zsum = add_weighted_pairs_i32(b, zsum, b.CreateBitCast(xsums, i16x(b, 2 * lanes)),
                                      pairs[static_cast<size_t>(j)], lanes == 16);
      }
      auto* isum = b.CreateSub(isums[at], b.CreateMul(zsum, zero));
      auto* scale = b.CreateFMul(d, splat(b, lanes, in.scale(b, slots[r], blk0)));
      next[at] = fma(b, b.CreateSIToFP(isum, f32x(b, lanes)), scale, acc[at]);
    }
  }
  return next;
}

// Per super-block a rolled loop over its pieces; in a piece, per pair of chunks and half,
// each row's two madds summed in i16 and weighted by the half's scale into its i32 sum.
Carried six_bit_tile_sums(Builder& b, const QuantizedRows& in, const WeightPanel& p,
                          const std::vector<llvm::Value*>& slots) {
  const llvm::Function& fn = *b.GetInsertBlock()->getParent();
  const bool vnni = use_vnni(fn), wide = vnni && use_vnni512(fn);
  const int units = wide ? 1 : kGroups;  // registers per row
  const auto lanes = static_cast<unsigned>(kPanelCols / units);
  const size_t n = slots.size() * static_cast<size_t>(units);
  Carried init(n, splat_f32(b, lanes, 0.0f));
  Carried sums = emit_for_carry(
      b, i64c(b, 0), i64c(b, p.blocks / kPieces), 1, init,
      [&](llvm::Value* super, const Carried& cur) {
        Carried zero(n, llvm::Constant::getNullValue(i32x(b, lanes)));
        Carried isums = emit_rolled_for_carry(
            b, i64c(b, 0), i64c(b, kPieces), 1, zero,
            [&](llvm::Value* piece, const Carried& acc) {
              auto* blk = b.CreateAdd(b.CreateMul(super, i64c(b, kPieces)), piece);
              auto* k0 = b.CreateMul(blk, i64c(b, kBlock));
              p.prefetch_piece(b, blk);
              Carried next(acc);
              // [chunk][unit]: each chunk's two halves' quants, unpacked once.
              std::vector<std::vector<std::array<llvm::Value*, 2>>> quants(static_cast<size_t>(p.at.chunks()));
              for (int64_t c = 0; c < p.at.chunks(); ++c)
                for (int u = 0; u < units; ++u)
                  quants[static_cast<size_t>(c)].push_back(wide ? wide_chunk_quants(b, p, blk, i64c(b, c))
                                                                : chunk_quants(b, p, blk, i64c(b, c), u));
              for (int64_t half = 0; half < 2; ++half) {
                auto* sub = b.CreateAdd(b.CreateMul(piece, i64c(b, 2)), i64c(b, half));
                std::vector<llvm::Value*> weights;
                for (int u = 0; u < units; ++u) weights.push_back(half_weights(b, p, super, sub, 8 * u, lanes));
                for (int64_t c0 = 0; c0 < p.at.chunks(); c0 += 2) {
                  // [chunk][unit]: this half's quants of chunks c0 and c0 + 1.
                  std::array<std::vector<llvm::Value*>, 2> q;
                  for (int64_t i = 0; i < 2; ++i)
                    for (int u = 0; u < units; ++u)
                      q[i].push_back(quants[static_cast<size_t>(c0 + i)][static_cast<size_t>(u)][half]);
                  for (size_t r = 0; r < slots.size(); ++r) {
                    std::array<llvm::Value*, 2> x;
                    for (int64_t i = 0; i < 2; ++i)
                      x[i] = input_quads(b, in, slots[r], b.CreateAdd(k0, i64c(b, 4 * (c0 + i) + kBlock / 2 * half)),
                                         lanes);
                    for (int u = 0; u < units; ++u) {
                      // Two madds fit an i16 lane: 2 x 2 x 63 x 127 = 32004 < 2^15.
                      auto* pairs = b.CreateAdd(madd_i16(b, q[0][u], x[0]), madd_i16(b, q[1][u], x[1]));
                      size_t at = r * static_cast<size_t>(units) + static_cast<size_t>(u);
                      next[at] = add_weighted_pairs_i32(b, next[at], pairs, weights[static_cast<size_t>(u)], vnni);
                    }
                  }
                }
              }
              return next;
            },
            "piece");
        return end_six_bit_super(b, in, p, slots, units, super, isums, cur);
      },
      "super");
  return wide ? split_groups(b, sums) : sums;
}

}  // namespace lmc::codegen
