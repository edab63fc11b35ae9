#include "codegen/llvm/linear/tile_panels.h"

#include <array>

#include <llvm/IR/Function.h>
#include <llvm/IR/IntrinsicsX86.h>

#include "codegen/llvm/linear/six_bit_panels.h"
#include "codegen/llvm/linear/super_block_sums.h"

namespace lmc::codegen {

namespace {

constexpr int kPieces = 8;                  // pieces of 32 k per super-block
constexpr int64_t kTileRows = 16;           // input rows per tile (A's and C's rows)
constexpr int64_t kPieceK = 32;             // k per block or piece: A's bytes a row
constexpr int64_t kQuadRows = kPieceK / 4;  // B's rows: one per quad of k
constexpr int64_t kRowBytes = 64;           // a B or C row: 16 columns x 4 bytes
constexpr int64_t kTileBytes = kTileRows * kRowBytes;
constexpr int64_t kBTileBytes = kQuadRows * kRowBytes;
constexpr int64_t kHalfRows = 8;  // rows ended at once: their i32 and f32 sums stay in registers

llvm::Value* i16c(Builder& b, int64_t v) { return b.getInt16(static_cast<uint16_t>(v)); }

// Block blk's B tile at bt + blk x 512: the low nibbles of its chunks (k 0..15) in rows
// 0..3, the high ones (k 16..31) in rows 4..7, as wide_chunk_quants gives them. A q8_0
// panel's chunks are its B tiles as stored.
void unpack_panel(Builder& b, const WeightPanel& p, llvm::Value* bt) {
  emit_for(
      b, i64c(b, 0), i64c(b, p.blocks), 1,
      [&](llvm::Value* blk) {
        auto* tile = byte_ptr(b, bt, b.CreateMul(blk, i64c(b, kBTileBytes)));
        if (p.at.super_blocks()) p.prefetch_piece(b, blk);
        for (int64_t c = 0; c < p.at.chunks(); ++c) {
          std::array<llvm::Value*, 2> q = wide_chunk_quants(b, p, blk, i64c(b, c));
          for (int64_t half = 0; half < 2; ++half)
            b.CreateAlignedStore(q[half], byte_ptr(b, tile, i64c(b, (half * p.at.chunks() + c) * kRowBytes)),
                                 llvm::Align(64));
        }
      },
      "unpack");
}

llvm::Value* b_tile(Builder& b, const WeightPanel& p, llvm::Value* bt, llvm::Value* blk) {
  return p.nibbles ? byte_ptr(b, bt, b.CreateMul(blk, i64c(b, kBTileBytes))) : p.chunk(b, blk, i64c(b, 0), 0);
}

// The exact i32 sums of k [k0, k0 + kk) of block blk (all of it, or a q6_kx16 piece's
// half) for input rows [slot0, slot0 + 16) x the panel's 16 columns, stored as 16 rows of
// 16 at c: signed input bytes against q8_0's signed quants (tdpbssd) or the unsigned
// nibbles (tdpbsud). One tile's life is one basic block.
void block_tile(Builder& b, const QuantizedRows& in, const WeightPanel& p, llvm::Value* bt, llvm::Value* slot0,
                llvm::Value* blk, llvm::Value* c, int64_t k0 = 0, int64_t kk = kPieceK) {
  auto* m = i16c(b, kTileRows);
  auto* n = i16c(b, kRowBytes);
  auto* k = i16c(b, kk);
  auto* stride_a = i64c(b, in.blocks() * QuantizedRows::kBlock);
  auto* a_at = b.CreateAdd(b.CreateMul(blk, i64c(b, kPieceK)), i64c(b, k0));
  auto* a_tile =
      b.CreateIntrinsic(llvm::Intrinsic::x86_tileloadd64_internal, {}, {m, k, in.quants(b, slot0, a_at), stride_a});
  auto* b_rows = byte_ptr(b, b_tile(b, p, bt, blk), i64c(b, k0 / 4 * kRowBytes));
  auto* b_tiles = b.CreateIntrinsic(llvm::Intrinsic::x86_tileloadd64_internal, {},
                                    {i16c(b, kk / 4), n, b_rows, i64c(b, kRowBytes)});
  auto* zero = b.CreateIntrinsic(llvm::Intrinsic::x86_tilezero_internal, {}, {m, n});
  auto dp = p.nibbles ? llvm::Intrinsic::x86_tdpbsud_internal : llvm::Intrinsic::x86_tdpbssd_internal;
  auto* sums = b.CreateIntrinsic(dp, {}, {m, n, k, zero, a_tile, b_tiles});
  b.CreateIntrinsic(llvm::Intrinsic::x86_tilestored64_internal, {}, {m, n, c, i64c(b, kRowBytes), sums});
}

// Row r of 16 lanes in a [rows x 16] scratch of i32 or f32.
llvm::Value* row_at(Builder& b, llvm::Type* lane, llvm::Value* base, int64_t row) {
  return b.CreateInBoundsGEP(lane, base, i64c(b, row * 16));
}
llvm::Value* load_row(Builder& b, llvm::FixedVectorType* type, llvm::Value* base, int64_t row) {
  return b.CreateAlignedLoad(type, row_at(b, type->getElementType(), base, row), llvm::Align(64));
}
void store_row(Builder& b, llvm::Value* v, llvm::Value* base, int64_t row) {
  auto* lane = llvm::cast<llvm::FixedVectorType>(v->getType())->getElementType();
  b.CreateAlignedStore(v, row_at(b, lane, base, row), llvm::Align(64));
}

// Per half of a tile's rows (the 8 a super-block's end takes at once): each row's tile
// sums (tile t of scratch.c_tiles) times scales[t], summed in i32, with the row's f32 sums
// so far, given to `end` (the block type's end of a super-block) and its result stored back.
template <size_t N, class End>
void end_tile_rows(Builder& b, const TileScratch& s, llvm::Value* slot0, const std::array<llvm::Value*, N>& scales,
                   End end) {
  for (int64_t r0 = 0; r0 < kTileRows; r0 += kHalfRows) {
    std::vector<llvm::Value*> slots;
    Carried isums, acc;
    for (int64_t r = r0; r < r0 + kHalfRows; ++r) {
      slots.push_back(b.CreateAdd(slot0, i64c(b, r)));
      llvm::Value* isum = nullptr;
      for (size_t t = 0; t < N; ++t) {
        auto* tile_row = load_row(b, i32x(b, 16), s.c_tiles, static_cast<int64_t>(t) * kTileRows + r);
        auto* scaled = b.CreateMul(tile_row, scales[t]);
        isum = isum ? b.CreateAdd(isum, scaled) : scaled;
      }
      isums.push_back(isum);
      acc.push_back(load_row(b, f32x(b, 16), s.sums, r));
    }
    Carried next = end(slots, isums, acc);
    for (int64_t r = r0; r < r0 + kHalfRows; ++r) store_row(b, next[r - r0], s.sums, r);
  }
}

// Super-block `super` of a tile at slot0: its pieces on the tiles, then per 8 rows the
// pieces' sums times their scales summed in i32 and the super-block ended in 16 lanes
// (the VNNI tiles' order: linear_panels.cpp, super_prefill_sums), into scratch.sums.
void tile_super_block(Builder& b, const QuantizedRows& in, const WeightPanel& p, const TileScratch& s,
                      llvm::Value* slot0, llvm::Value* super) {
  auto piece_ints = [&](int piece) { return p.at.wide_piece_ints(b, p.base, super, i64c(b, piece)); };
  std::array<llvm::Value*, kPieces> scales;
  for (int piece = 0; piece < kPieces; ++piece) {
    auto* blk = b.CreateAdd(b.CreateMul(super, i64c(b, kPieces)), i64c(b, piece));
    block_tile(b, in, p, s.b_tiles, slot0, blk, byte_ptr(b, s.c_tiles, i64c(b, piece * kTileBytes)));
    scales[piece] = piece_ints(piece).scale;
  }
  end_tile_rows(b, s, slot0, scales,
                [&](const std::vector<llvm::Value*>& slots, const Carried& isums, const Carried& acc) {
                  return end_super_blocks(
                      b, in, slots, 1, super, isums, acc, [&](int, int piece) { return piece_ints(piece).min; },
                      [&](int) { return p.super_d(b, super, 0, 16); });
                });
}

// q6_kx16's super-block `super` of a tile at slot0: each piece's halves (k 0..15 and
// 16..31: B rows 0..3 and 4..7 of its unpacked tile) on the tiles apart, then per 8 rows
// their sums times their own scales summed in i32 and the super-block ended as the VNNI
// tiles end it (six_bit_panels.h), into scratch.sums.
void tile_six_bit_super(Builder& b, const QuantizedRows& in, const WeightPanel& p, const TileScratch& s,
                        llvm::Value* slot0, llvm::Value* super) {
  constexpr int64_t kHalfK = kPieceK / 2, kSubs = 2 * kPieces;
  for (int64_t sub = 0; sub < kSubs; ++sub) {
    auto* blk = b.CreateAdd(b.CreateMul(super, i64c(b, kPieces)), i64c(b, sub / 2));
    block_tile(b, in, p, s.b_tiles, slot0, blk, byte_ptr(b, s.c_tiles, i64c(b, sub * kTileBytes)), sub % 2 * kHalfK,
               kHalfK);
  }
  std::array<llvm::Value*, kSubs> scales;
  for (int64_t sub = 0; sub < kSubs; ++sub)
    scales[static_cast<size_t>(sub)] = p.at.six_bit_scales(b, p.base, super, i64c(b, sub), 0, 16);
  end_tile_rows(b, s, slot0, scales,
                [&](const std::vector<llvm::Value*>& slots, const Carried& isums, const Carried& acc) {
                  return end_six_bit_super(b, in, p, slots, 1, super, isums, acc);
                });
}

// Block blk of a tile at slot0 (q8_0 and the q4/q5 blocks): its sums on the tiles, then
// each row's scaled by the column's and the row's block scales into f32, the offset meeting
// the input block's sum: the VNNI tiles' add_scaled, lane by lane (linear_panels.cpp).
void tile_block(Builder& b, const QuantizedRows& in, const WeightPanel& p, const TileScratch& s, llvm::Value* slot0,
                llvm::Value* blk) {
  block_tile(b, in, p, s.b_tiles, slot0, blk, s.c_tiles);
  BlockScales low = p.scales(b, blk, 0), high = p.scales(b, blk, 1);
  auto* d = concat(b, low.d, high.d);
  auto* m = low.m ? concat(b, low.m, high.m) : nullptr;
  for (int64_t r = 0; r < kTileRows; ++r) {
    auto* slot = b.CreateAdd(slot0, i64c(b, r));
    auto* scale = b.CreateFMul(d, splat(b, 16, in.scale(b, slot, blk)));
    auto* sum = b.CreateSIToFP(load_row(b, i32x(b, 16), s.c_tiles, r), f32x(b, 16));
    llvm::Value* acc = fma(b, sum, scale, load_row(b, f32x(b, 16), s.sums, r));
    if (m) acc = fma(b, m, splat(b, 16, in.sum(b, slot, blk)), acc);
    store_row(b, acc, s.sums, r);
  }
}

// Input rows [slot0, slot0 + 16) x the panel, through the epilogue.
void row_tile(Builder& b, LinearIO& io, const QuantizedRows& in, const WeightPanel& p, const TileScratch& s,
              llvm::Value* t0, llvm::Value* slot0, llvm::Value* n0) {
  for (int64_t r = 0; r < kTileRows; ++r) store_row(b, splat_f32(b, 16, 0.0f), s.sums, r);
  if (p.at.super_blocks())
    emit_for(
        b, i64c(b, 0), i64c(b, p.blocks / kPieces), 1,
        [&](llvm::Value* super) {
          if (p.at.six_bit())
            tile_six_bit_super(b, in, p, s, slot0, super);
          else
            tile_super_block(b, in, p, s, slot0, super);
        },
        "super");
  else
    emit_for(
        b, i64c(b, 0), i64c(b, p.blocks), 1, [&](llvm::Value* blk) { tile_block(b, in, p, s, slot0, blk); }, "blk");
  for (int64_t r = 0; r < kTileRows; ++r) {
    std::array<llvm::Value*, 2> groups = halves(b, load_row(b, f32x(b, 16), s.sums, r));
    for (int64_t g = 0; g < 2; ++g)
      io.store_or_defer(b.CreateAdd(t0, b.CreateAdd(slot0, i64c(b, r))), b.CreateAdd(n0, i64c(b, 8 * g)), groups[g], 8);
  }
}

}  // namespace

TileScratch::TileScratch(Builder& b, int64_t K, int parts)
    : b_tiles(stack_array(b, b.getInt8Ty(), K / kPieceK * kBTileBytes, 64)),
      c_tiles(stack_array(b, b.getInt8Ty(), kPieces * parts * kTileBytes, 64)),
      sums(stack_array(b, b.getFloatTy(), kTileRows * 16, 64)) {}

llvm::Value* tile_panel_rows(Builder& b, LinearIO& io, const QuantizedRows& in, const WeightPanel& p,
                             const TileScratch& scratch, llvm::Value* t0, llvm::Value* rows, llvm::Value* n0) {
  auto* full = b.CreateAnd(rows, i64c(b, ~(kTileRows - 1)));
  emit_if(b, b.CreateICmpSGT(full, i64c(b, 0)), [&] {
    if (p.nibbles) unpack_panel(b, p, scratch.b_tiles);
    emit_for(
        b, i64c(b, 0), full, kTileRows, [&](llvm::Value* slot0) { row_tile(b, io, in, p, scratch, t0, slot0, n0); },
        "atile");
  });
  return full;
}

}  // namespace lmc::codegen
