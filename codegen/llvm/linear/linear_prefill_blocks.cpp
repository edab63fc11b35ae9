// Prefill path of linear for block weights (q8_0, and the q4/q5 blocks, iq4 and K-quant
// super-blocks kept from a file): an int8 GEMM on the byte madds of the decode path
// (pmaddubsw + pmaddwd, or vpdpbusd with VNNI), which multiply 32 byte pairs per
// instruction pair where f32 FMAs multiply 8 per instruction.
//
// The input rows of a call are quantized once, in blocks of rows, as decode quantizes
// them (codegen/llvm/linear/quantized_rows.h), so a row's numbers do not depend on the path beyond
// the order of f32 sums. The weights are repacked per panel of kPanelCols columns so
// that one 32-byte load holds four consecutive k ("a quad") of eight columns: a
// register tile of kTileRows rows x kPanelCols columns broadcasts a row's quad of
// input bytes against eight columns at once, and each column's dot product grows in
// its own i32 lane — no horizontal sums. After each block of 32 k, the i32 sums are
// scaled by the column's and the row's block scales into f32 accumulators (and the
// q4/q5 offsets meet the input block's sum there; q3_k's and q2_k's halves are summed and
// scaled apart, each by its own scale, q3_k's zero point off each half's i32 sum). q6_k
// sums a whole super-block in i32, its halves' integer scales weighting the madds as they
// widen (super_blocks.h, integer_scales), and is scaled into f32 once per super-block; q4_k
// and q5_k likewise, each piece's i32 sums times its scale, the mins off in integers.
// q8_0 and iq4 weights are signed: the madds take |w| and move w's sign onto the
// input byte (psignb), as decode does.
//
// Panel layout: bytes [block][quad 0..7][group 0..kGroups-1][8 columns x 4 k], one f32
// scale (and offset) per [block][column] (q6_k: its d, and its integer scales apart).
#include <algorithm>
#include <array>
#include <functional>

#include <llvm/IR/Function.h>
#include <llvm/IR/IntrinsicsX86.h>

#include "codegen/llvm/blocks/super_blocks.h"
#include "codegen/llvm/blocks/weight_blocks.h"
#include "codegen/llvm/linear/int8_tile.h"
#include "codegen/llvm/linear/linear_common.h"
#include "codegen/llvm/linear/quantized_rows.h"
#include "codegen/llvm/linear/super_block_sums.h"

namespace lmc::codegen {

namespace {

using namespace int8_tile;

struct Panel {
  int64_t blocks;     // K / 32
  int parts;          // parts of a block scaled apart (scale_parts: 2 for q3_k, q2_k)
  int zero;           // the quants' zero point (zero_point: q6_k, q3_k), subtracted per part
  int i16_quads;      // quads whose madds sum in i16 (i16_quads)
  llvm::Value* w;     // i8 [blocks * kQuads * kGroups * 32]: q8_0's and iq4's signed bytes, or the unsigned quants
  llvm::Value* d;     // f32 [blocks * kPanelCols] block scales (q3_k, q2_k: of the first halves)
  llvm::Value* m;     // f32 [blocks * kPanelCols] block offsets, or null (the signed types)
  llvm::Value* d_hi;  // f32 [blocks * kPanelCols] the second halves' scales (q3_k, q2_k), or null
  llvm::Value* m_hi;  // f32 [blocks * kPanelCols] q2_k's second halves' offsets, or null
  // integer_scales (q6_k): i16 [blocks * 2 * kGroups * 16], each half's scale in both i16
  // lanes of its column's i32 lane, which weight the madds' widening; i16 [blocks * kGroups
  // * 16], zero · the two halves' scales, against a row's two Σq; d is then per column.
  llvm::Value* half_weights;
  llvm::Value* zero_weights;
  // With 512-bit VNNI (wide_integer_tile_sums) half_weights hold each half's scale as one
  // i32 per column, which multiplies the half's exact i32 sum: vpdpbusd has no i16 weighting.
  bool wide;
  // integer_scales with mins (q4_k, q5_k): i32 [blocks * kPanelCols] each piece's scale and
  // min per column; d holds the super-blocks' d, m their dmin.
  llvm::Value* piece_scales;
  llvm::Value* piece_mins;

  llvm::Value* quad(Builder& b, llvm::Value* blk, llvm::Value* q, int g) const {
    auto* at =
        b.CreateAdd(b.CreateMul(b.CreateAdd(b.CreateMul(blk, i64c(b, kQuads)), q), i64c(b, kGroups)), i64c(b, g));
    return byte_ptr(b, w, b.CreateMul(at, i64c(b, 32)));
  }
  llvm::Value* column_scales(Builder& b, llvm::Value* base, llvm::Value* blk, int g) const {
    return f32_ptr(b, base, b.CreateAdd(b.CreateMul(blk, i64c(b, kPanelCols)), i64c(b, 8 * g)));
  }
  // &half_weights of part `part` (or with part -1 &zero_weights) of block blk, group g.
  llvm::Value* scale_weights(Builder& b, llvm::Value* blk, int part, int g) const {
    auto* at = part < 0 ? b.CreateAdd(b.CreateMul(blk, i64c(b, kGroups)), i64c(b, g))
                        : b.CreateAdd(b.CreateMul(blk, i64c(b, 2 * kGroups)), i64c(b, part * kGroups + g));
    return b.CreateGEP(b.getInt16Ty(), part < 0 ? zero_weights : half_weights, b.CreateMul(at, i64c(b, 16)));
  }
};

llvm::Value* shuffle(Builder& b, llvm::Value* x, llvm::Value* y, std::initializer_list<int> lanes) {
  return b.CreateShuffleVector(x, y, std::vector<int>(lanes));
}

// out[q][c] = in[c][q] for eight columns' eight quads (<8 x i32> each): three rounds
// of pairwise interleaves (32-bit, 64-bit, 128-bit).
std::array<llvm::Value*, 8> transpose8(Builder& b, const std::array<llvm::Value*, 8>& in) {
  std::array<llvm::Value*, 8> t1, t2, out;
  for (int p = 0; p < 4; ++p) {
    t1[2 * p] = shuffle(b, in[2 * p], in[2 * p + 1], {0, 8, 1, 9, 4, 12, 5, 13});
    t1[2 * p + 1] = shuffle(b, in[2 * p], in[2 * p + 1], {2, 10, 3, 11, 6, 14, 7, 15});
  }
  // t2[4h + j], j < 4: quads j and j + 4 of columns 4h .. 4h + 3.
  for (int h = 0; h < 2; ++h)
    for (int e = 0; e < 2; ++e) {
      llvm::Value* x = t1[4 * h + e];
      llvm::Value* y = t1[4 * h + 2 + e];
      t2[4 * h + 2 * e] = shuffle(b, x, y, {0, 1, 8, 9, 4, 5, 12, 13});
      t2[4 * h + 2 * e + 1] = shuffle(b, x, y, {2, 3, 10, 11, 6, 7, 14, 15});
    }
  for (int j = 0; j < 4; ++j) {
    out[j] = shuffle(b, t2[j], t2[4 + j], {0, 1, 2, 3, 8, 9, 10, 11});
    out[j + 4] = shuffle(b, t2[j], t2[4 + j], {4, 5, 6, 7, 12, 13, 14, 15});
  }
  return out;
}

// A q6_k piece's integer scales of eight columns (Panel::half_weights, zero_weights), and
// with the first piece their super-blocks' d, which the tiles read at the first block.
void pack_integer_scales(Builder& b, const Panel& p, const std::vector<llvm::Value*>& blocks, llvm::Value* blk,
                         int piece, int g) {
  std::array<llvm::Value*, 2> scales = q6_k_piece_scales(b, blocks, piece);
  for (int part = 0; part < 2; ++part)
    b.CreateAlignedStore(p.wide ? scales[part] : i16_pairs(b, scales[part], scales[part]),
                         p.scale_weights(b, blk, part, g), llvm::Align(4));
  auto* zero = llvm::ConstantInt::get(i32x(b, 8), static_cast<uint64_t>(p.zero));
  b.CreateAlignedStore(i16_pairs(b, b.CreateMul(scales[0], zero), b.CreateMul(scales[1], zero)),
                       p.scale_weights(b, blk, -1, g), llvm::Align(4));
  if (piece == 0) store_f32x(b, q6_k_d(b, blocks), p.column_scales(b, p.d, blk, g));
}

// A q4_k/q5_k piece's integer scale and min of eight columns, and with the first piece their
// super-blocks' d and dmin.
void pack_piece_ints(Builder& b, const Panel& p, const std::vector<llvm::Value*>& blocks, llvm::Value* blk, int piece,
                     int g) {
  KPieceInts ints = k_piece_ints(b, blocks, piece);
  b.CreateStore(ints.scale, p.column_scales(b, p.piece_scales, blk, g));
  b.CreateStore(ints.min, p.column_scales(b, p.piece_mins, blk, g));
  if (piece != 0) return;
  std::array<llvm::Value*, 2> d = k_d_dmin(b, blocks);
  store_f32x(b, d[0], p.column_scales(b, p.d, blk, g));
  store_f32x(b, d[1], p.column_scales(b, p.m, blk, g));
}

// Piece `piece` of weight block `wblk` (the panel's block blk of 32 k; a K type's
// super-block holds eight) of eight columns (weight rows `rows`) into the panel.
void pack_group(Builder& b, const LinearShape& s, const Panel& p, const std::vector<llvm::Value*>& rows,
                llvm::Value* wblk, int piece, int g) {
  const int64_t block_bytes = ir::dtype_block_bytes(s.wtype);
  auto* off = b.CreateMul(wblk, i64c(b, block_bytes));
  auto* blk = b.CreateAdd(b.CreateMul(wblk, i64c(b, block_pieces(s.wtype))), i64c(b, piece));
  std::array<llvm::Value*, 8> quants;
  std::vector<llvm::Value*> blocks;
  for (int c = 0; c < 8; ++c) {
    blocks.push_back(byte_ptr(b, rows[static_cast<size_t>(c)], off));
    // The next panel's block: with few rows a panel's tiles are short, and its
    // weights would wait on DRAM.
    if (piece == 0)
      for (int64_t line = 0; line < block_bytes; line += 64)
        prefetch_ahead(b, byte_ptr(b, blocks.back(), i64c(b, line)), kPanelCols * s.w_row_bytes());
    WeightBlock w = load_weight_block(b, s.wtype, blocks.back(), piece);
    quants[c] = b.CreateBitCast(w.sign ? w.sign : w.u, i32x(b, 8));
  }
  auto quads = transpose8(b, quants);
  for (int q = 0; q < kQuads; ++q) b.CreateAlignedStore(quads[q], p.quad(b, blk, i64c(b, q), g), llvm::Align(32));
  if (p.half_weights) {
    pack_integer_scales(b, p, blocks, blk, piece, g);
    return;
  }
  if (p.piece_scales) {
    pack_piece_ints(b, p, blocks, blk, piece, g);
    return;
  }
  BlockScales w = load_block_scales(b, s.wtype, blocks, piece);
  store_f32x(b, w.d, p.column_scales(b, p.d, blk, g));
  if (p.m) store_f32x(b, w.m, p.column_scales(b, p.m, blk, g));
  if (p.d_hi) store_f32x(b, w.d_hi, p.column_scales(b, p.d_hi, blk, g));
  if (p.m_hi) store_f32x(b, w.m_hi, p.column_scales(b, p.m_hi, blk, g));
}

// Columns n0 .. n0 + kPanelCols of the weights into the panel; columns past the last
// repeat it (they are computed, never stored).
void pack_panel(Builder& b, const LinearShape& s, LinearIO& io, const Panel& p, llvm::Value* n0) {
  auto* last = b.CreateSub(io.col_end(), i64c(b, 1));
  std::vector<llvm::Value*> rows;
  for (int c = 0; c < kPanelCols; ++c) rows.push_back(io.weight_row(min64(b, b.CreateAdd(n0, i64c(b, c)), last)));
  const int pieces = block_pieces(s.wtype);
  emit_for(
      b, i64c(b, 0), i64c(b, p.blocks / pieces), 1,
      [&](llvm::Value* wblk) {
        for (int piece = 0; piece < pieces; ++piece)
          for (int g = 0; g < kGroups; ++g)
            pack_group(b, s, p, std::vector<llvm::Value*>(rows.begin() + 8 * g, rows.begin() + 8 * (g + 1)), wblk,
                       piece, g);
      },
      "pk");
}

struct Tile {
  std::array<llvm::Value*, kTileRows> slots;  // quantized input rows (the last valid one repeated)
  bool sign;                                  // q8_0, iq4: move the weights' signs onto the input
  bool vnni;
  bool word_vnni;                             // the i16 sums weighted and added by vpdpwssd
};

// The i32 dot products of part `part` of one block of 32 k (its quads, or half of them
// for a two-part type): [row][group] lanes per column. A rolled loop over spans of quads
// whose madds sum in i16 lanes (i16_quads: two of q6_k's, one of a signed type's) before
// one widening to i32 — the widening pmaddwd shares the multiply ports with the madds, so
// a span of 2 takes a quarter of them off. Rolled: unrolled, LLVM reassociates the sums
// across quads and keeps every quad's weights live at once, which spills.
Carried block_sums(Builder& b, const QuantizedRows& in, const Panel& p, const Tile& t, llvm::Value* blk, int part,
                   Carried init, const std::array<llvm::Value*, kGroups>& weights) {
  const int64_t quads = kQuads / p.parts;
  int64_t span = 1;
  while (!t.vnni && span * 2 <= std::min<int64_t>(quads, p.i16_quads)) span *= 2;
  return emit_rolled_for_carry(
      b, i64c(b, quads * part), i64c(b, quads * (part + 1)), span, std::move(init),
      [&](llvm::Value* q0, const Carried& cur) {
        Carried madds(cur.size(), nullptr);
        for (int64_t i = 0; i < span; ++i) {
          auto* q = b.CreateAdd(q0, i64c(b, i));
          std::array<llvm::Value*, kGroups> w, u;
          for (int g = 0; g < kGroups; ++g) {
            w[g] = b.CreateAlignedLoad(i8x(b, 32), p.quad(b, blk, q, g), llvm::Align(32));
            u[g] = t.sign ? b.CreateBinaryIntrinsic(llvm::Intrinsic::abs, w[g], b.getFalse()) : w[g];
          }
          auto* k = b.CreateAdd(b.CreateMul(blk, i64c(b, kBlock)), b.CreateMul(q, i64c(b, 4)));
          for (int r = 0; r < kTileRows; ++r) {
            auto* bytes = b.CreateAlignedLoad(b.getInt32Ty(), in.quants(b, t.slots[r], k), llvm::Align(4));
            auto* x = b.CreateBitCast(splat(b, 8, bytes), i8x(b, 32));
            for (int g = 0; g < kGroups; ++g) {
              auto* sx = t.sign ? b.CreateIntrinsic(llvm::Intrinsic::x86_avx2_psign_b, {}, {x, w[g]}) : x;
              size_t at = static_cast<size_t>(r * kGroups + g);
              if (t.vnni) {
                madds[at] = byte_dot_i32(b, cur[at], u[g], sx, true);
              } else {
                auto* m = byte_madd_i16(b, u[g], sx);
                madds[at] = madds[at] ? b.CreateAdd(madds[at], m) : m;
              }
            }
          }
        }
        if (t.vnni) return madds;
        auto* ones = llvm::ConstantVector::getSplat(llvm::ElementCount::getFixed(16), b.getInt16(1));
        Carried next(cur.size());
        for (size_t at = 0; at < cur.size(); ++at) {
          llvm::Value* w = weights[at % kGroups];
          next[at] = add_weighted_pairs_i32(b, cur[at], madds[at], w ? w : ones, t.word_vnni);
        }
        return next;
      },
      "quad");
}

// The tile's f32 sums over all blocks: [row][group], 8 columns each; a q3_k or q2_k
// block's halves summed and scaled one after the other.
Carried tile_sums(Builder& b, const QuantizedRows& in, const Panel& p, const Tile& t) {
  Carried init(kTileRows * kGroups, splat_f32(b, 8, 0.0f));
  return emit_for_carry(
      b, i64c(b, 0), i64c(b, p.blocks), 1, init,
      [&](llvm::Value* blk, const Carried& cur) {
        Carried next(cur);
        for (int part = 0; part < p.parts; ++part) {
          Carried sums =
              block_sums(b, in, p, t, blk, part, Carried(cur.size(), llvm::Constant::getNullValue(i32x(b, 8))), {});
          for (int g = 0; g < kGroups; ++g) {
            auto* dw = load_f32x(b, p.column_scales(b, part ? p.d_hi : p.d, blk, g), 8);
            llvm::Value* offsets = part ? p.m_hi : p.m;
            auto* mw = offsets ? load_f32x(b, p.column_scales(b, offsets, blk, g), 8) : nullptr;
            for (int r = 0; r < kTileRows; ++r) {
              size_t at = static_cast<size_t>(r * kGroups + g);
              auto* scale = b.CreateFMul(dw, splat(b, 8, in.scale(b, t.slots[r], blk)));
              llvm::Value* isum = sums[at];
              if (p.zero)
                isum = b.CreateSub(
                    isum, splat(b, 8, b.CreateMul(in.quant_sum(b, t.slots[r], blk, part), b.getInt32(p.zero))));
              next[at] = fma(b, b.CreateSIToFP(isum, f32x(b, 8)), scale, next[at]);
              if (mw) next[at] = fma(b, mw, splat(b, 8, in.sum(b, t.slots[r], blk, part)), next[at]);
            }
          }
        }
        return next;
      },
      "blk");
}

// A super-block's eight pieces summed exactly in i32 per [row][group] (or, `lanes` 16, per
// row) by `piece` (the carried sums in, a block's added out), then ended into the f32 sums
// by `end` (super block, its first block, the i32 sums, the f32 sums so far).
Carried over_super_blocks(
    Builder& b, const Panel& p, unsigned lanes, const std::function<Carried(llvm::Value*, const Carried&)>& piece,
    const std::function<Carried(llvm::Value*, llvm::Value*, const Carried&, const Carried&)>& end) {
  constexpr int64_t kPieces = 8;
  Carried init(kTileRows * kPanelCols / lanes, splat_f32(b, lanes, 0.0f));
  return emit_for_carry(
      b, i64c(b, 0), i64c(b, p.blocks / kPieces), 1, init,
      [&](llvm::Value* super, const Carried& cur) {
        auto* blk0 = b.CreateMul(super, i64c(b, kPieces));
        Carried zero(cur.size(), llvm::Constant::getNullValue(i32x(b, lanes)));
        Carried isums = emit_rolled_for_carry(b, blk0, b.CreateAdd(blk0, i64c(b, kPieces)), 1, zero, piece, "piece");
        return end(super, blk0, isums, cur);
      },
      "super");
}

// tile_sums of integer_scales weights with a zero point (q6_k): each half's madds weighted
// by its scale, each block's zero point off against the row's two Σq, then the super-block
// scaled by d and the row's q8_K scale: the decode path's order (linear_decode.cpp,
// dot_integer_scaled).
Carried integer_tile_sums(Builder& b, const QuantizedRows& in, const Panel& p, const Tile& t) {
  auto piece = [&](llvm::Value* blk, const Carried& sums) {
    Carried next = sums;
    for (int part = 0; part < 2; ++part) {
      std::array<llvm::Value*, kGroups> w;
      for (int g = 0; g < kGroups; ++g)
        w[g] = b.CreateAlignedLoad(i16x(b, 16), p.scale_weights(b, blk, part, g), llvm::Align(4));
      next = block_sums(b, in, p, t, blk, part, std::move(next), w);
    }
    for (int g = 0; g < kGroups; ++g) {
      auto* z = b.CreateAlignedLoad(i16x(b, 16), p.scale_weights(b, blk, -1, g), llvm::Align(4));
      for (int r = 0; r < kTileRows; ++r) {
        auto* xsums = b.CreateBitCast(splat(b, 8, in.quant_sum_pair(b, t.slots[r], blk)), i16x(b, 16));
        size_t at = static_cast<size_t>(r * kGroups + g);
        next[at] = b.CreateSub(next[at], weighted_pairs_i32(b, z, xsums));
      }
    }
    return next;
  };
  auto end = [&](llvm::Value*, llvm::Value* blk0, const Carried& isums, const Carried& cur) {
    Carried next(cur);
    for (int g = 0; g < kGroups; ++g) {
      auto* d = load_f32x(b, p.column_scales(b, p.d, blk0, g), 8);
      for (int r = 0; r < kTileRows; ++r) {
        size_t at = static_cast<size_t>(r * kGroups + g);
        auto* scale = b.CreateFMul(d, splat(b, 8, in.scale(b, t.slots[r], blk0)));
        next[at] = fma(b, b.CreateSIToFP(isums[at], f32x(b, 8)), scale, next[at]);
      }
    }
    return next;
  };
  return over_super_blocks(b, p, 8, piece, end);
}

// integer_tile_sums with 512-bit VNNI, one <16 x i32> per row (a lane per column: a quad's
// two groups lie side by side, one 64-byte load): each half's four quads madd from zero in
// two chains per row (eight chains across the tile overlap the madds' latency), and the
// half's sum is multiplied by its scale. Half the madds of the 256-bit path, none of its
// i16 widening; the i32 sums are exact, so the same bits as integer_tile_sums.
Carried wide_integer_tile_sums(Builder& b, const QuantizedRows& in, const Panel& p, const Tile& t) {
  auto* i32x16 = i32x(b, 16);
  auto half_sums = [&](llvm::Value* blk, int part) {
    Carried chains(2 * kTileRows, llvm::Constant::getNullValue(i32x16));
    for (int64_t i = 0; i < kQuads / 2; ++i) {
      auto* q = i64c(b, part * kQuads / 2 + i);
      auto* w = b.CreateAlignedLoad(i32x16, p.quad(b, blk, q, 0), llvm::Align(32));
      auto* k = b.CreateAdd(b.CreateMul(blk, i64c(b, kBlock)), b.CreateMul(q, i64c(b, 4)));
      for (size_t r = 0; r < kTileRows; ++r) {
        llvm::Value*& chain = chains[2 * r + static_cast<size_t>(i % 2)];
        chain = b.CreateIntrinsic(llvm::Intrinsic::x86_avx512_vpdpbusd_512, {},
                                  {chain, w, b.CreateBitCast(input_quad16(b, in, t.slots[r], k), i32x16)});
      }
    }
    Carried sums;
    for (size_t r = 0; r < kTileRows; ++r) sums.push_back(b.CreateAdd(chains[2 * r], chains[2 * r + 1]));
    return sums;
  };
  auto piece = [&](llvm::Value* blk, const Carried& sums) {
    Carried next = sums;
    for (int part = 0; part < 2; ++part) {
      auto* scale = b.CreateAlignedLoad(i32x16, p.scale_weights(b, blk, part, 0), llvm::Align(4));
      Carried half = half_sums(blk, part);
      for (size_t r = 0; r < kTileRows; ++r) next[r] = b.CreateAdd(next[r], b.CreateMul(half[r], scale));
    }
    auto* z = b.CreateAlignedLoad(i16x(b, 32), p.scale_weights(b, blk, -1, 0), llvm::Align(4));
    for (size_t r = 0; r < kTileRows; ++r) {
      auto* xsums = b.CreateBitCast(splat(b, 16, in.quant_sum_pair(b, t.slots[r], blk)), i16x(b, 32));
      next[r] = b.CreateSub(next[r], b.CreateIntrinsic(llvm::Intrinsic::x86_avx512_pmaddw_d_512, {}, {z, xsums}));
    }
    return next;
  };
  auto end = [&](llvm::Value*, llvm::Value* blk0, const Carried& isums, const Carried& cur) {
    auto* d = load_f32x(b, p.column_scales(b, p.d, blk0, 0), 16);
    Carried next(cur);
    for (size_t r = 0; r < kTileRows; ++r) {
      auto* scale = b.CreateFMul(d, splat(b, 16, in.scale(b, t.slots[r], blk0)));
      next[r] = fma(b, b.CreateSIToFP(isums[r], f32x(b, 16)), scale, next[r]);
    }
    return next;
  };
  return split_groups(b, over_super_blocks(b, p, 16, piece, end));
}

// tile_sums of q4_k and q5_k weights: each piece's exact i32 sums times its scales over a
// super-block, then its mins and one scaling into f32 (super_block_sums.h): the decode
// path's sums and order (linear_decode.cpp, dot_integer_mins).
Carried mins_tile_sums(Builder& b, const QuantizedRows& in, const Panel& p, const Tile& t) {
  auto piece = [&](llvm::Value* blk, const Carried& acc) {
    Carried sums = block_sums(b, in, p, t, blk, 0, Carried(acc.size(), llvm::Constant::getNullValue(i32x(b, 8))), {});
    Carried next(acc.size());
    for (int g = 0; g < kGroups; ++g) {
      auto* scale = b.CreateLoad(i32x(b, 8), p.column_scales(b, p.piece_scales, blk, g));
      for (int r = 0; r < kTileRows; ++r) {
        size_t at = static_cast<size_t>(r * kGroups + g);
        next[at] = b.CreateAdd(acc[at], b.CreateMul(sums[at], scale));
      }
    }
    return next;
  };
  auto end = [&](llvm::Value* super, llvm::Value* blk0, const Carried& isums, const Carried& cur) {
    auto min_of = [&](int g, int j) {
      return b.CreateLoad(i32x(b, 8), p.column_scales(b, p.piece_mins, b.CreateAdd(blk0, i64c(b, j)), g));
    };
    auto d_of = [&](int g) {
      return std::array<llvm::Value*, 2>{load_f32x(b, p.column_scales(b, p.d, blk0, g), 8),
                                         load_f32x(b, p.column_scales(b, p.m, blk0, g), 8)};
    };
    return end_super_blocks(b, in, {t.slots.begin(), t.slots.end()}, kGroups, super, isums, cur, min_of, d_of);
  };
  return over_super_blocks(b, p, 8, piece, end);
}

// Rows slot0 .. slot0 + kTileRows of the block (those below `rows`) x the panel's
// columns below the call's end, through the epilogue.
void tile(Builder& b, const LinearShape& s, LinearIO& io, const QuantizedRows& in, const Panel& p, llvm::Value* t0,
          llvm::Value* slot0, llvm::Value* rows, llvm::Value* n0) {
  Tile t{};
  auto* last = b.CreateSub(rows, i64c(b, 1));
  for (int r = 0; r < kTileRows; ++r) t.slots[r] = min64(b, b.CreateAdd(slot0, i64c(b, r)), last);
  t.sign = signed_quants(s.wtype);
  t.word_vnni = use_vnni(*b.GetInsertBlock()->getParent());
  t.vnni = !p.half_weights && t.word_vnni;
  Carried sums = p.wide           ? wide_integer_tile_sums(b, in, p, t)
                 : p.half_weights ? integer_tile_sums(b, in, p, t)
                 : p.piece_scales ? mins_tile_sums(b, in, p, t)
                                  : tile_sums(b, in, p, t);
  for (int r = 0; r < kTileRows; ++r) {
    auto* slot = b.CreateAdd(slot0, i64c(b, r));
    emit_if(b, b.CreateICmpSLT(slot, rows), [&] {
      for (int g = 0; g < kGroups; ++g) {
        auto* n = b.CreateAdd(n0, i64c(b, 8 * g));
        auto* count = min64(b, b.CreateSub(io.col_end(), n), i64c(b, 8));
        emit_if(b, b.CreateICmpSGT(count, i64c(b, 0)), [&] {
          io.store_output(b.CreateAdd(t0, slot), n, sums[static_cast<size_t>(r * kGroups + g)], 8, count);
        });
      }
    });
  }
}

// Input rows [t0, t0 + rows) x every column of the call.
void row_block(Builder& b, const LinearShape& s, LinearIO& io, const QuantizedRows& in, const Panel& p, llvm::Value* t0,
               llvm::Value* rows) {
  if (!io.plain_input()) io.prepare_rows(t0, rows);
  in.fill(b, io, t0, rows);
  emit_for(
      b, io.col_begin(), io.col_end(), kPanelCols,
      [&](llvm::Value* n0) {
        pack_panel(b, s, io, p, n0);
        emit_for(
            b, i64c(b, 0), rows, kTileRows, [&](llvm::Value* slot0) { tile(b, s, io, in, p, t0, slot0, rows, n0); },
            "t");
      },
      "n0");
}

}  // namespace

void emit_linear_prefill_blocks(Builder& b, const LinearShape& s, LinearIO& io) {
  const int64_t rows = rows_per_block(s);
  QuantizedRows in(b, rows, s.K, s.wtype);
  Panel p{};
  p.blocks = s.K / kBlock;
  p.parts = scale_parts(s.wtype);
  p.w = stack_array(b, b.getInt8Ty(), p.blocks * kQuads * kGroups * 32);
  p.d = stack_array(b, b.getFloatTy(), p.blocks * kPanelCols);
  p.zero = zero_point(s.wtype);
  p.i16_quads = i16_quads(s.wtype);
  if (float_offsets(s.wtype)) p.m = stack_array(b, b.getFloatTy(), p.blocks * kPanelCols);
  if (p.parts == 2 && !integer_scales(s.wtype)) p.d_hi = stack_array(b, b.getFloatTy(), p.blocks * kPanelCols);
  if (part_offsets(s.wtype)) p.m_hi = stack_array(b, b.getFloatTy(), p.blocks * kPanelCols);
  if (integer_scales(s.wtype) && p.zero) {
    p.half_weights = stack_array(b, b.getInt16Ty(), p.blocks * 2 * kGroups * 16);
    p.zero_weights = stack_array(b, b.getInt16Ty(), p.blocks * kGroups * 16);
    p.wide = use_vnni512(*b.GetInsertBlock()->getParent());
  } else if (integer_scales(s.wtype)) {
    p.piece_scales = stack_array(b, b.getInt32Ty(), p.blocks * kPanelCols);
    p.piece_mins = stack_array(b, b.getInt32Ty(), p.blocks * kPanelCols);
  }
  emit_for(
      b, io.row_begin(), io.row_end(), rows,
      [&](llvm::Value* t0) { row_block(b, s, io, in, p, t0, min64(b, i64c(b, rows), b.CreateSub(io.row_end(), t0))); },
      "tb");
}

}  // namespace lmc::codegen
