// Decode path of linear (few rows): memory-bound, so the weights are streamed once
// per group of rows, several output columns at a time for memory-level parallelism.
// Block weights (q8_0, and the q4/q5 blocks, iq4 and K-quant super-blocks kept from a file) use integer dot products:
// the input rows are quantized to q8 blocks (one f32 scale per 32 values, and the block's sum for the q4 offsets) into
// stack scratch, and each block pair is multiplied with AVX2 byte madds, then scaled by both block scales in f32 (q3_k,
// q2_k: each half of the block by its own weight scale, q3_k's zero point off each half's i32 sum first; q6_k, q4_k and
// q5_k: a whole super-block summed in i32 under its integer scales, then scaled once).
#include <llvm/IR/IntrinsicsX86.h>

#include <functional>
#include <optional>

#include "codegen/llvm/blocks/super_blocks.h"
#include "codegen/llvm/blocks/weight_blocks.h"
#include "codegen/llvm/linear/linear_common.h"
#include "codegen/llvm/linear/quantized_rows.h"
#include "codegen/llvm/linear/super_block_sums.h"

namespace lmc::codegen {

namespace {

// Rows prepared together, and swept together under each column tile so the
// weights are read from memory once. Every decode call fits one group, except
// f32 weights with a prologue, whose f32 scratch rows are 4x larger.
constexpr int64_t kRowGroup = kDecodeMaxRows;
constexpr int64_t kActRowGroup = 4;
constexpr int kCols = 4;  // f32 weights: output columns per iteration (independent streams)
constexpr int kLaneCols = 8;  // block weights: output columns per iteration, one per lane
constexpr int kRowTile = 4;  // rows sharing each weight block's decoding
constexpr int64_t kBlock = 32;  // input q8 block, as every weight block format's
// Each weight row of a column tile is prefetched this many bytes ahead of where it is
// read (into the next tile's rows past its end): with only a few short rows in flight
// the hardware prefetchers leave DRAM bandwidth unused. Counted along the tile's own
// walk, so no prefetch lands on a row being read already — a lead of whole rows did for
// 3 of 8 rows at 7B shapes: bench_linear decode_q6_k_cold/4096x14336, one thread,
// 12.4 -> 23.1 GB/s, q8_0 18.8 -> 37.1 (read probe 37.6).
constexpr int64_t kLeadBytes = 4096;
constexpr int64_t kF32PrefetchBytes = 16384;

// Σ x·w over one block pair as 8 partial i32 sums. The byte madds want one unsigned
// operand: the weight block's `u`, with its signs (q8_0) moved onto x.
llvm::Value* block_dot_i32(Builder& b, llvm::Value* xq, const WeightBlock& w, bool vnni) {
  auto* sx = w.sign ? b.CreateIntrinsic(llvm::Intrinsic::x86_avx2_psign_b, {}, {xq, w.sign}) : xq;
  return byte_dot_i32(b, nullptr, w.u, sx, vnni);
}

// f32 weights (4 columns a tile, 8 values a step) are prefetched whole rows ahead, at
// least kF32PrefetchBytes: SmolLM2 at F32, decode 80 tok/s this way, 73-75 with the block
// weights' lead along the tile.
int64_t f32_prefetch_distance(const LinearShape& s) {
  return (kF32PrefetchBytes / s.w_row_bytes() + 1) * s.w_row_bytes();
}

// How far ahead of byte `off` of a weight row, in a column tile, to prefetch: kLeadBytes
// further along the tile's walk, which past the row's end continues in the row kLaneCols on.
llvm::Value* lead_distance(Builder& b, const LinearShape& s, llvm::Value* off) {
  auto* tiles = b.CreateUDiv(b.CreateAdd(off, i64c(b, kLeadBytes)), i64c(b, s.w_row_bytes()));
  return b.CreateAdd(i64c(b, kLeadBytes), b.CreateMul(tiles, i64c(b, (kLaneCols - 1) * s.w_row_bytes())));
}

struct Scratch {
  std::optional<QuantizedRows> xq;  // the input rows, quantized (block weights)
  llvm::Value* xa = nullptr;  // f32 [kActRowGroup * K] input rows through the prologue (f32 weights)
};

// Weight block `wblk` of each row of a column tile, prefetching along the tile's walk.
std::vector<llvm::Value*> tile_blocks(Builder& b, const LinearShape& s, const std::vector<llvm::Value*>& wrows,
                                      llvm::Value* wblk) {
  const int64_t block_bytes = ir::dtype_block_bytes(s.wtype);
  auto* off = b.CreateMul(wblk, i64c(b, block_bytes));
  std::vector<llvm::Value*> blocks;
  auto* lead = lead_distance(b, s, off);
  for (auto* wrow : wrows) {
    blocks.push_back(byte_ptr(b, wrow, off));
    for (int64_t line = 0; line < block_bytes; line += 64)
      prefetch_ahead(b, byte_ptr(b, blocks.back(), i64c(b, line)), lead);
  }
  return blocks;
}

// Rows r .. r + rows - 1 of the group.
std::vector<llvm::Value*> row_slots(Builder& b, llvm::Value* r, int rows) {
  std::vector<llvm::Value*> slots;
  for (int j = 0; j < rows; ++j) slots.push_back(b.CreateAdd(r, i64c(b, j)));
  return slots;
}

// `body` over the weight rows' blocks (a K type's super-blocks), carrying one f32
// accumulator (8 columns) per row.
std::vector<llvm::Value*> over_blocks(Builder& b, const LinearShape& s, int rows,
                                      const std::function<Carried(llvm::Value*, const Carried&)>& body) {
  Carried init(static_cast<size_t>(rows), splat_f32(b, 8, 0.0f));
  return emit_for_carry(b, i64c(b, 0), i64c(b, s.K / ir::dtype_block_elems(s.wtype)), 1, init, body, "blk");
}

// Columns n .. n+7 (weight rows `wrows`) of `rows` (a power of two up to kRowTile)
// consecutive rows from r of the current group, block weights: one accumulator per
// row, a column per lane. The rows share each weight block's decoding. A block's
// products are summed exactly in i32 per column, then scaled into f32 once — the
// int8 GEMM's order (linear_prefill_blocks.cpp) — so a row's numbers do not depend on
// the path its row count takes, nor on the rows beside it.
std::vector<llvm::Value*> dot_blocks(Builder& b, const LinearShape& s, const Scratch& sc,
                                     const std::vector<llvm::Value*>& wrows, llvm::Value* r, int rows) {
  const QuantizedRows& in = *sc.xq;
  const int pieces = block_pieces(s.wtype);
  const int zero = zero_point(s.wtype);
  bool vnni = use_vnni(*b.GetInsertBlock()->getParent());
  std::vector<llvm::Value*> slots = row_slots(b, r, rows);
  return over_blocks(b, s, rows, [&](llvm::Value* wblk, const Carried& acc) {
    std::vector<llvm::Value*> blocks = tile_blocks(b, s, wrows, wblk);
    Carried next(acc);
    // A super-block's pieces one after the other, each as a block of 32 is summed: the
    // same order as the blocks of 32 a piece equals.
    for (int piece = 0; piece < pieces; ++piece) {
      auto* blk = b.CreateAdd(b.CreateMul(wblk, i64c(b, pieces)), i64c(b, piece));
      std::vector<llvm::Value*> xq;
      for (int j = 0; j < rows; ++j)
        xq.push_back(b.CreateAlignedLoad(i8x(b, 32), in.quants(b, slots[j], b.CreateMul(blk, i64c(b, kBlock))),
                                         llvm::Align(32)));
      std::vector<std::vector<llvm::Value*>> dots(static_cast<size_t>(rows));
      for (auto* block : blocks) {
        WeightBlock w = load_weight_block(b, s.wtype, block, piece);
        for (int j = 0; j < rows; ++j) dots[static_cast<size_t>(j)].push_back(block_dot_i32(b, xq[j], w, vnni));
      }
      BlockScales w = load_block_scales(b, s.wtype, blocks, piece);
      for (int j = 0; j < rows; ++j) {
        size_t at = static_cast<size_t>(j);
        // A lane's sums cover 4 k: lanes 0..3 the first half of the block, 4..7 the second.
        std::vector<llvm::Value*> sums;
        if (w.d_hi) {
          std::array<llvm::Value*, 2> halves = hsum8_halves(b, dots[at].data());
          sums.assign(halves.begin(), halves.end());
        } else {
          sums.push_back(hsum8(b, dots[at].data()));
        }
        auto* dx = splat(b, 8, in.scale(b, slots[at], blk));
        for (int part = 0; part < static_cast<int>(sums.size()); ++part) {
          llvm::Value* isum = sums[static_cast<size_t>(part)];
          if (zero)
            isum = b.CreateSub(isum, splat(b, 8, b.CreateMul(in.quant_sum(b, slots[at], blk, part), b.getInt32(zero))));
          next[at] = fma(b, b.CreateSIToFP(isum, f32x(b, 8)), b.CreateFMul(w.part(part), dx), next[at]);
          if (w.offset(part)) next[at] = fma(b, w.offset(part), splat(b, 8, in.sum(b, slots[at], blk, part)), next[at]);
        }
      }
    }
    return next;
  });
}

// A q6_k tile's super-block as one column tile reads it: its columns' blocks, their 16
// scales as i16, its first input block, and the i32 sums [row][column] (one lane per
// column) that the madds fill.
struct Q6Super {
  std::vector<llvm::Value*> blocks;
  std::vector<llvm::Value*> scales;
  llvm::Value* blk0;
  std::vector<std::vector<llvm::Value*>> dots;
};

// A q6_k super-block's madds piece by piece, 256-bit. The byte madds stay pmaddubsw with
// VNNI too: its vpdpbusd sums four products into i32, past where the i16 scales can weight
// them; VNNI's vpdpwssd weights and adds them in one.
void q6_k_piece_madds(Builder& b, const LinearShape& s, const QuantizedRows& in, const std::vector<llvm::Value*>& slots,
                      Q6Super& sb) {
  const bool vnni = use_vnni(*b.GetInsertBlock()->getParent());
  for (int piece = 0; piece < 8; ++piece) {
    std::vector<llvm::Value*> xq;
    auto* k = b.CreateMul(b.CreateAdd(sb.blk0, i64c(b, piece)), i64c(b, kBlock));
    for (auto* slot : slots) xq.push_back(b.CreateAlignedLoad(i8x(b, 32), in.quants(b, slot, k), llvm::Align(32)));
    std::vector<int> half_scales(8, 2 * piece);
    half_scales.insert(half_scales.end(), 8, 2 * piece + 1);
    for (size_t c = 0; c < sb.blocks.size(); ++c) {
      WeightBlock w = load_weight_block(b, s.wtype, sb.blocks[c], piece);
      auto* weights = b.CreateShuffleVector(sb.scales[c], half_scales);
      for (size_t j = 0; j < slots.size(); ++j)
        sb.dots[j][c] = add_weighted_pairs_i32(b, sb.dots[j][c], byte_madd_i16(b, w.u, xq[j]), weights, vnni);
    }
  }
}

// The same madds on 512-bit registers (AVX-512 BW): two pieces of a column in one register
// — a half's 64 low-part bytes and 32 high-part bytes are read and unpacked once for its
// four pieces — so the unpacking and the madds take half the instructions. A column's sums
// fold to 8 lanes at its end; the same exact i32 sums.
void q6_k_pair_madds(Builder& b, const QuantizedRows& in, const std::vector<llvm::Value*>& slots, Q6Super& sb) {
  const bool vnni = use_vnni512(*b.GetInsertBlock()->getParent());
  for (size_t c = 0; c < sb.blocks.size(); ++c) {
    std::vector<llvm::Value*> wide(slots.size(), nullptr);
    for (int half = 0; half < 2; ++half) {
      std::array<llvm::Value*, 2> q = q6_k_piece_pairs(b, sb.blocks[c], half);
      for (int pair = 0; pair < 2; ++pair) {
        int piece = 4 * half + 2 * pair;
        std::vector<int> lanes;
        for (int i = 0; i < 32; ++i) lanes.push_back(2 * piece + i / 8);
        auto* weights = b.CreateShuffleVector(sb.scales[c], lanes);
        auto* k = b.CreateMul(b.CreateAdd(sb.blk0, i64c(b, piece)), i64c(b, kBlock));
        for (size_t j = 0; j < slots.size(); ++j) {
          auto* x = b.CreateAlignedLoad(i8x(b, 64), in.quants(b, slots[j], k), llvm::Align(32));
          auto* pairs =
              b.CreateIntrinsic(llvm::Intrinsic::x86_avx512_pmaddubs_w_512, {}, {q[static_cast<size_t>(pair)], x});
          wide[j] = add_weighted_pairs_i32(b, wide[j], pairs, weights, vnni);
        }
      }
    }
    for (size_t j = 0; j < slots.size(); ++j) {
      std::array<llvm::Value*, 2> folded = halves(b, wide[j]);
      sb.dots[j][c] = b.CreateAdd(folded[0], folded[1]);
    }
  }
}

// dot_blocks for a type with integer scales (super_blocks.h: q6_k): per column and row, a
// super-block's madds (on 512-bit registers when `wide`) widened by each half-piece's scale
// into one i32 vector, the zero point's Σ scale·Σx taken off it, then one horizontal sum
// over the tile's columns and one scaling by d and the row's q8_K scale. The same exact i32 sums and order as the int8
// GEMM's (linear_prefill_blocks.cpp), so a row's numbers still do not depend on its path.
std::vector<llvm::Value*> dot_integer_scaled(Builder& b, const LinearShape& s, const Scratch& sc,
                                             const std::vector<llvm::Value*>& wrows, llvm::Value* r, int rows,
                                             bool wide) {
  const QuantizedRows& in = *sc.xq;
  constexpr int kPieces = 8;
  auto* zero = llvm::ConstantInt::get(i32x(b, 8), static_cast<uint64_t>(zero_point(s.wtype)));
  std::vector<llvm::Value*> slots = row_slots(b, r, rows);
  return over_blocks(b, s, rows, [&](llvm::Value* wblk, const Carried& acc) {
    Q6Super sb{tile_blocks(b, s, wrows, wblk), {}, b.CreateMul(wblk, i64c(b, kPieces)), {}};
    for (auto* block : sb.blocks) sb.scales.push_back(q6_k_scales_i16(b, block));
    sb.dots.assign(slots.size(), std::vector<llvm::Value*>(sb.blocks.size()));
    if (wide)
      q6_k_pair_madds(b, in, slots, sb);
    else
      q6_k_piece_madds(b, s, in, slots, sb);
    auto* d = q6_k_d(b, sb.blocks);
    Carried next(acc);
    for (size_t j = 0; j < slots.size(); ++j) {
      auto& row = sb.dots[j];
      auto* xsums = in.quant_sums16(b, slots[j], sb.blk0);
      for (size_t c = 0; c < sb.blocks.size(); ++c)
        row[c] = b.CreateSub(row[c], b.CreateMul(weighted_pairs_i32(b, sb.scales[c], xsums), zero));
      auto* isum = hsum8(b, row.data());
      auto* scale = b.CreateFMul(d, splat(b, 8, in.scale(b, slots[j], sb.blk0)));
      next[j] = fma(b, b.CreateSIToFP(isum, f32x(b, 8)), scale, next[j]);
    }
    return next;
  });
}

// dot_blocks for q4_k and q5_k (super_blocks.h, integer_scales): per row, each piece's
// exact i32 sums of the tile's columns (one per lane) times the piece's scales, summed over
// the super-block; its mins and the scaling into f32 once at its end (super_block_sums.h).
std::vector<llvm::Value*> dot_integer_mins(Builder& b, const LinearShape& s, const Scratch& sc,
                                           const std::vector<llvm::Value*>& wrows, llvm::Value* r, int rows) {
  const QuantizedRows& in = *sc.xq;
  constexpr int kPieces = 8;
  bool vnni = use_vnni(*b.GetInsertBlock()->getParent());
  std::vector<llvm::Value*> slots = row_slots(b, r, rows);
  return over_blocks(b, s, rows, [&](llvm::Value* wblk, const Carried& acc) {
    std::vector<llvm::Value*> blocks = tile_blocks(b, s, wrows, wblk);
    auto* blk0 = b.CreateMul(wblk, i64c(b, kPieces));
    std::vector<llvm::Value*> isums(static_cast<size_t>(rows), nullptr);
    std::array<llvm::Value*, kPieces> mins;
    for (int piece = 0; piece < kPieces; ++piece) {
      auto* k = b.CreateMul(b.CreateAdd(blk0, i64c(b, piece)), i64c(b, kBlock));
      std::vector<std::vector<llvm::Value*>> dots(static_cast<size_t>(rows));
      std::vector<llvm::Value*> xq;
      for (int j = 0; j < rows; ++j)
        xq.push_back(b.CreateAlignedLoad(i8x(b, 32), in.quants(b, slots[j], k), llvm::Align(32)));
      for (auto* block : blocks) {
        WeightBlock w = load_weight_block(b, s.wtype, block, piece);
        for (int j = 0; j < rows; ++j) dots[static_cast<size_t>(j)].push_back(block_dot_i32(b, xq[j], w, vnni));
      }
      KPieceInts ints = k_piece_ints(b, blocks, piece);
      mins[static_cast<size_t>(piece)] = ints.min;
      for (size_t j = 0; j < isums.size(); ++j) {
        auto* scaled = b.CreateMul(hsum8(b, dots[j].data()), ints.scale);
        isums[j] = isums[j] ? b.CreateAdd(isums[j], scaled) : scaled;
      }
    }
    return end_super_blocks(
        b, in, slots, 1, wblk, isums, acc, [&](int, int j) { return mins[static_cast<size_t>(j)]; },
        [&](int) { return k_d_dmin(b, blocks); });
  });
}

// Columns n .. n+C-1 of one input row, f32 weights.
std::vector<llvm::Value*> dot_f32(Builder& b, const LinearShape& s, llvm::Value* xrow,
                                  const std::vector<llvm::Value*>& wrows) {
  int64_t k8 = s.K / 8 * 8;
  auto* zero = splat_f32(b, 8, 0.0f);
  Carried acc = emit_for_carry(
      b, i64c(b, 0), i64c(b, k8), 8, Carried(wrows.size(), zero),
      [&](llvm::Value* k, const Carried& cur) {
        auto* xv = load_f32x(b, f32_ptr(b, xrow, k), 8);
        Carried next;
        for (size_t c = 0; c < wrows.size(); ++c) {
          auto* wp = f32_ptr(b, wrows[c], k);
          prefetch_ahead(b, wp, f32_prefetch_distance(s));
          next.push_back(fma(b, xv, load_f32x(b, wp, 8), cur[c]));
        }
        return next;
      },
      "k");
  if (s.K % 8) {
    auto* rest = i64c(b, s.K % 8);
    auto* xv = masked_load_f32x(b, f32_ptr(b, xrow, i64c(b, k8)), 8, rest);
    for (size_t c = 0; c < wrows.size(); ++c)
      acc[c] = fma(b, xv, masked_load_f32x(b, f32_ptr(b, wrows[c], i64c(b, k8)), 8, rest), acc[c]);
  }
  return acc;
}

// Output columns [from, to) of the current group's rows, block weights: eight at a
// time, a tail's weight rows clamped to the last column and its stores masked. Rows in
// tiles of kRowTile sharing each weight block's decoding, then halving tiles for the
// rest (4 + 2 + 1 for 7 rows).
void block_columns(Builder& b, const LinearShape& s, LinearIO& io, const Scratch& sc, llvm::Value* g0,
                   llvm::Value* rows) {
  auto* last = b.CreateSub(io.col_end(), i64c(b, 1));
  const bool wide = wide_registers(*b.GetInsertBlock()->getParent());
  emit_for(
      b, io.col_begin(), io.col_end(), kLaneCols,
      [&](llvm::Value* n) {
        std::vector<llvm::Value*> wrows;
        for (int c = 0; c < kLaneCols; ++c) wrows.push_back(io.weight_row(min64(b, b.CreateAdd(n, i64c(b, c)), last)));
        auto* count = min64(b, b.CreateSub(io.col_end(), n), i64c(b, kLaneCols));
        llvm::Value* done = i64c(b, 0);
        for (int tile = kRowTile; tile >= 1; tile /= 2) {
          auto* end = b.CreateAdd(done, b.CreateAnd(b.CreateSub(rows, done), i64c(b, ~int64_t{tile - 1})));
          emit_for(
              b, done, end, tile,
              [&](llvm::Value* r) {
                std::vector<llvm::Value*> acc = !integer_scales(s.wtype) ? dot_blocks(b, s, sc, wrows, r, tile)
                                                : !zero_point(s.wtype)
                                                    ? dot_integer_mins(b, s, sc, wrows, r, tile)
                                                    : dot_integer_scaled(b, s, sc, wrows, r, tile, wide);
                for (int j = 0; j < tile; ++j)
                  io.store_or_defer(b.CreateAdd(g0, b.CreateAdd(r, i64c(b, j))), n, acc[static_cast<size_t>(j)],
                                    kLaneCols, count);
              },
              "rtile");
          done = end;
        }
      },
      "n");
}

// Output columns [from, to) in steps of `cols` for the rows of the current group, f32
// weights.
void f32_columns(Builder& b, const LinearShape& s, LinearIO& io, const Scratch& sc, llvm::Value* g0, llvm::Value* rows,
                 llvm::Value* from, llvm::Value* to, int cols) {
  emit_for(
      b, from, to, cols,
      [&](llvm::Value* n) {
        std::vector<llvm::Value*> wrows;
        for (int c = 0; c < cols; ++c) wrows.push_back(io.weight_row(b.CreateAdd(n, i64c(b, c))));
        emit_for(
            b, i64c(b, 0), rows, 1,
            [&](llvm::Value* r) {
              auto* t = b.CreateAdd(g0, r);
              auto* xrow = sc.xa ? f32_ptr(b, sc.xa, b.CreateMul(r, i64c(b, s.K)))
                                 : f32_ptr(b, io.x(), b.CreateMul(t, i64c(b, s.K)));
              std::vector<llvm::Value*> acc = dot_f32(b, s, xrow, wrows);
              for (int c = 0; c < cols; ++c) io.store_or_defer(t, b.CreateAdd(n, i64c(b, c)), hsum(b, acc[c]), 1);
            },
            "r");
      },
      cols > 1 ? "n" : "ntail");
}

// The group's input rows through the prologue into scratch, for f32 weights.
void prologue_rows(Builder& b, const LinearShape& s, LinearIO& io, const Scratch& sc, llvm::Value* g0,
                   llvm::Value* rows) {
  int64_t k8 = s.K / 8 * 8;
  emit_for(
      b, i64c(b, 0), rows, 1,
      [&](llvm::Value* r) {
        auto* t = b.CreateAdd(g0, r);
        auto* dst = f32_ptr(b, sc.xa, b.CreateMul(r, i64c(b, s.K)));
        emit_for(
            b, i64c(b, 0), i64c(b, k8), 8,
            [&](llvm::Value* k) { store_f32x(b, io.load_input(t, k, 8), f32_ptr(b, dst, k)); }, "ak");
        if (s.K % 8) {
          auto* rest = i64c(b, s.K % 8);
          masked_store_f32x(b, io.load_input(t, i64c(b, k8), 8, rest), f32_ptr(b, dst, i64c(b, k8)), rest);
        }
      },
      "ar");
}

}  // namespace

void emit_linear_decode(Builder& b, const LinearShape& s, LinearIO& io) {
  Scratch sc;
  if (ir::is_quantized(s.wtype)) {
    sc.xq.emplace(b, kRowGroup, s.K, s.wtype);
  } else if (!io.plain_input()) {
    sc.xa = stack_array(b, b.getFloatTy(), kActRowGroup * s.K);
  }
  int64_t group = sc.xa ? kActRowGroup : kRowGroup;
  emit_for(
      b, i64c(b, 0), io.T(), group,
      [&](llvm::Value* g0) {
        auto* left = b.CreateSub(io.T(), g0);
        auto* rows = b.CreateSelect(b.CreateICmpSLT(left, i64c(b, group)), left, i64c(b, group));
        if (!io.plain_input()) io.prepare_rows(g0, rows);
        if (sc.xq) sc.xq->fill(b, io, g0, rows);
        if (sc.xa) prologue_rows(b, s, io, sc, g0, rows);
        if (sc.xq) {
          block_columns(b, s, io, sc, g0, rows);
        } else {
          auto* main_end = round_down(b, io.col_begin(), io.col_end(), kCols);
          f32_columns(b, s, io, sc, g0, rows, io.col_begin(), main_end, kCols);
          f32_columns(b, s, io, sc, g0, rows, main_end, io.col_end(), 1);
        }
        // The group's rows of the call's columns were just written: in cache for the epilogue.
        if (io.defers_epilogue()) io.finish_outputs(g0, rows, io.col_begin(), io.col_end());
      },
      "g");
}

}  // namespace lmc::codegen
