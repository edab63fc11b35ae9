// linear on x16 weights (q8_0, q4_0, q4_1, q5_0 and q5_1 blocks, and a file's Q4_K, Q5_K
// and Q6_K super-blocks, stored in 16-row panels, ir/dtype.h), at every row count: one int8
// kernel for decode and prefill. A super-block's pieces of 32 are laid out as q4_1 (q5_1)
// blocks whose scales its header holds (q6_kx16's halves: six_bit_panels.h).
//
// A panel holds, per block of 32 k, its 16 columns' f16 scales (and the _1 types' mins,
// the q5 types' fifth bits) and then chunks of 4 bytes, each chunk 16 columns x 4 bytes:
// one 32-byte load is a chunk of 8 output columns — 4 k of q8_0, or 4 k in the low
// nibbles and the 4 k 16 further on in the high ones. A register tile of up to kTileRows
// input rows broadcasts a row's 4 input bytes against it, and each column's dot product
// grows in its own i32 lane (q8_0: the byte madds take |w| and move w's sign onto the
// input byte, psignb; the nibbles are unsigned as they are, and their madds add up in i16
// over a whole q4 block, half a q5 one, before one widening). After each block the exact
// i32 sums are scaled by the column's and the row's block scales into f32 (and the q4/q5
// offsets meet the input block's sum); a K type's pieces' i32 sums are multiplied by their
// integer scales and summed over the super-block, which is scaled once (its mins off in
// integers: super_block_sums.h) — the order of the row-major paths
// (linear_decode.cpp, linear_prefill_blocks.cpp), so a row's output has the same bits on
// either layout, at any row count and thread count (test_linear_kernel_bits).
//
// The weights are read as they are stored: no per-call repacking, no horizontal sums.
// Few rows (decode, split by panels over the threads) stream each panel once for all
// rows; many rows (prefill, split by rows) take them in blocks whose int8 copy stays in
// L2, and sweep every panel per block. Where the target has AMX, a block takes its rows
// by 16 on the tile unit (tile_panels.h) and the VNNI tiles the rest.
#include <array>
#include <functional>
#include <optional>

#include <llvm/IR/Function.h>
#include <llvm/IR/IntrinsicsX86.h>

#include "codegen/llvm/blocks/weight_blocks.h"
#include "codegen/llvm/linear/int8_tile.h"
#include "codegen/llvm/linear/linear_common.h"
#include "codegen/llvm/linear/panel_chunks.h"
#include "codegen/llvm/linear/quantized_rows.h"
#include "codegen/llvm/linear/six_bit_panels.h"
#include "codegen/llvm/linear/super_block_sums.h"
#include "codegen/llvm/linear/tile_panels.h"

namespace lmc::codegen {

namespace {

using namespace int8_tile;

static_assert(kPanelCols == PanelLayout::kRows, "a register tile spans one panel's columns");

// Row slot's 4 input bytes from k, in every i32 lane.
llvm::Value* input_quad(Builder& b, const QuantizedRows& in, llvm::Value* slot, llvm::Value* k) {
  return input_quads(b, in, slot, k, 8);
}

// The i32 dot products of one q8_0 block of 32 k for `rows` rows: [row][group] lanes per column. A
// rolled loop over the chunks: unrolled, LLVM reassociates the sums across chunks and
// keeps every chunk's weights live at once, which spills.
Carried q8_block_sums(Builder& b, const QuantizedRows& in, const WeightPanel& p, const std::vector<llvm::Value*>& slots,
                      llvm::Value* blk, bool vnni) {
  Carried zero(slots.size() * kGroups, llvm::Constant::getNullValue(i32x(b, 8)));
  return emit_rolled_for_carry(
      b, i64c(b, 0), i64c(b, p.at.chunks()), 1, zero,
      [&](llvm::Value* c, const Carried& cur) {
        std::array<llvm::Value*, kGroups> w, u;
        for (int g = 0; g < kGroups; ++g) {
          w[g] = p.load_chunk(b, blk, c, g);
          u[g] = b.CreateBinaryIntrinsic(llvm::Intrinsic::abs, w[g], b.getFalse());
        }
        auto* k = b.CreateAdd(b.CreateMul(blk, i64c(b, kBlock)), b.CreateMul(c, i64c(b, 4)));
        Carried next(cur.size());
        for (size_t r = 0; r < slots.size(); ++r) {
          auto* x = input_quad(b, in, slots[r], k);
          for (int g = 0; g < kGroups; ++g) {
            auto* sx = b.CreateIntrinsic(llvm::Intrinsic::x86_avx2_psign_b, {}, {x, w[g]});
            size_t at = r * kGroups + static_cast<size_t>(g);
            next[at] = byte_dot_i32(b, cur[at], u[g], sx, vnni);
          }
        }
        return next;
      },
      "chunk");
}

// nibble_block_sums with 512-bit VNNI, one <16 x i32> per row (a lane per column): a
// chunk's 16 columns are one register, and each row keeps four accumulators — low and high
// nibbles, even and odd chunks — so the vpdpbusd chains (5 cycles each) overlap instead of
// bounding a one-row tile. The chunks are unrolled: their offsets are constants, with no
// address arithmetic between the madds, and the few accumulators leave room in the 32
// registers. The sums are exact i32, so their order does not change a bit.
Carried wide_nibble_sums(Builder& b, const QuantizedRows& in, const WeightPanel& p,
                         const std::vector<llvm::Value*>& slots, llvm::Value* blk) {
  constexpr int kChains = 4;  // per row: 2 chunks in flight x (low, high)
  auto* i32x16 = i32x(b, 16);
  Carried acc(slots.size() * kChains, llvm::Constant::getNullValue(i32x16));
  auto* k0 = b.CreateMul(blk, i64c(b, kBlock));
  for (int c = 0; c < p.at.chunks(); ++c) {
    std::array<llvm::Value*, 2> q = wide_chunk_quants(b, p, blk, i64c(b, c));
    for (size_t r = 0; r < slots.size(); ++r)
      for (int half = 0; half < 2; ++half) {
        auto* x = input_quad16(b, in, slots[r], b.CreateAdd(k0, i64c(b, 4 * c + half * kBlock / 2)));
        size_t at = r * kChains + static_cast<size_t>(2 * (c % 2) + half);
        acc[at] = b.CreateIntrinsic(
            llvm::Intrinsic::x86_avx512_vpdpbusd_512, {},
            {acc[at], b.CreateBitCast(q[static_cast<size_t>(half)], i32x16), b.CreateBitCast(x, i32x16)});
      }
  }
  Carried sums;
  for (size_t r = 0; r < slots.size(); ++r)
    sums.push_back(b.CreateAdd(b.CreateAdd(acc[r * kChains], acc[r * kChains + 1]),
                               b.CreateAdd(acc[r * kChains + 2], acc[r * kChains + 3])));
  return sums;
}

// wide_nibble_sums for a prefill tile (kTileRows or kWideTileRows rows): the chunks in a
// rolled loop and two chains per row, the low nibbles' and the high ones', returned apart
// ([row][half]); with eight rows sixteen chains overlap the madds' latency, and the
// accumulators, a chunk's two registers and a super-block's i32 sums fit the 32 registers
// (unrolled with four chains per row, a four-row tile spilled). One 64-byte load, a shift
// and two masks feed 2 x rows 512-bit madds.
Carried wide_tile_nibble_halves(Builder& b, const QuantizedRows& in, const WeightPanel& p,
                                const std::vector<llvm::Value*>& slots, llvm::Value* blk) {
  auto* i32x16 = i32x(b, 16);
  auto* k0 = b.CreateMul(blk, i64c(b, kBlock));
  Carried zero(slots.size() * 2, llvm::Constant::getNullValue(i32x16));
  return emit_rolled_for_carry(
      b, i64c(b, 0), i64c(b, p.at.chunks()), 1, zero,
      [&](llvm::Value* c, const Carried& cur) {
        std::array<llvm::Value*, 2> q = wide_chunk_quants(b, p, blk, c);
        auto* k = b.CreateAdd(k0, b.CreateMul(c, i64c(b, 4)));
        Carried next(cur.size());
        for (size_t r = 0; r < slots.size(); ++r)
          for (size_t half = 0; half < 2; ++half) {
            auto* x = input_quad16(b, in, slots[r], b.CreateAdd(k, i64c(b, static_cast<int64_t>(half) * kBlock / 2)));
            next[2 * r + half] =
                b.CreateIntrinsic(llvm::Intrinsic::x86_avx512_vpdpbusd_512, {},
                                  {cur[2 * r + half], b.CreateBitCast(q[half], i32x16), b.CreateBitCast(x, i32x16)});
          }
        return next;
      },
      "chunk");
}

Carried wide_tile_nibble_sums(Builder& b, const QuantizedRows& in, const WeightPanel& p,
                              const std::vector<llvm::Value*>& slots, llvm::Value* blk) {
  Carried halves = wide_tile_nibble_halves(b, in, p, slots, blk);
  Carried sums;
  for (size_t r = 0; r < slots.size(); ++r) sums.push_back(b.CreateAdd(halves[2 * r], halves[2 * r + 1]));
  return sums;
}

// q8_block_sums with 512-bit VNNI (AVX-512 has no psignb): a chunk's 16 columns in one
// register, each signed weight taken as the unsigned w + 128 (its sign bit flipped) and
// 128·Σq of the row's block taken off the exact sum; two accumulators per row (even and
// odd chunks) so the vpdpbusd chains overlap, the chunks unrolled. At every row count: prefill64_q8_0x16
// 4096x14336, 1 thread, 71 -> 42 ms.
Carried wide_q8_block_sums(Builder& b, const QuantizedRows& in, const WeightPanel& p,
                           const std::vector<llvm::Value*>& slots, llvm::Value* blk) {
  auto* i32x16 = i32x(b, 16);
  auto* sign_bit = llvm::ConstantVector::getSplat(llvm::ElementCount::getFixed(64), b.getInt8(-128));
  Carried acc(slots.size() * 2, llvm::Constant::getNullValue(i32x16));
  auto* k0 = b.CreateMul(blk, i64c(b, kBlock));
  for (int c = 0; c < p.at.chunks(); ++c) {
    llvm::Value* ptr = p.chunk(b, blk, i64c(b, c), 0);
    prefetch_ahead(b, ptr, kPrefetchBytes);
    auto* u = b.CreateXor(b.CreateAlignedLoad(i8x(b, 64), ptr, llvm::Align(1)), sign_bit);
    for (size_t r = 0; r < slots.size(); ++r) {
      auto* x = input_quad16(b, in, slots[r], b.CreateAdd(k0, i64c(b, 4 * c)));
      size_t at = 2 * r + static_cast<size_t>(c % 2);
      acc[at] = b.CreateIntrinsic(llvm::Intrinsic::x86_avx512_vpdpbusd_512, {},
                                  {acc[at], b.CreateBitCast(u, i32x16), b.CreateBitCast(x, i32x16)});
    }
  }
  Carried sums;
  for (size_t r = 0; r < slots.size(); ++r) {
    auto* bias = splat(b, 16, b.CreateMul(in.block_quant_sum(b, slots[r], blk), b.getInt32(128)));
    sums.push_back(b.CreateSub(b.CreateAdd(acc[2 * r], acc[2 * r + 1]), bias));
  }
  return sums;
}

// As q8_block_sums, for a q4 or q5 block: each chunk's low nibbles meet the input's 4
// bytes at k, its high ones those at k + 16. Without VNNI the madds add up in i16 lanes
// and widen to i32 once per span of chunks: an i16 lane holds at most 16 products of a
// 4-bit quant (<= 15) and an input byte (|q| <= 127), 30480 < 2^15 — a whole q4 block —
// or 8 of a 5-bit one (31496): half a q5 block.
Carried nibble_block_sums(Builder& b, const QuantizedRows& in, const WeightPanel& p,
                          const std::vector<llvm::Value*>& slots, llvm::Value* blk, bool vnni) {
  if (vnni && use_vnni512(*b.GetInsertBlock()->getParent()))
    return split_groups(b, slots.size() < kTileRows ? wide_nibble_sums(b, in, p, slots, blk)
                                                    : wide_tile_nibble_sums(b, in, p, slots, blk));
  const int64_t span = p.at.has_high() && !vnni ? p.at.chunks() / 2 : p.at.chunks();
  auto* i16x16 = i16x(b, 16);
  // Chunks [c0, c0 + span) added to `init` (i16 lanes, or i32 with VNNI).
  auto chunks = [&](llvm::Value* c0, Carried init) {
    return emit_rolled_for_carry(
        b, c0, b.CreateAdd(c0, i64c(b, span)), 1, std::move(init),
        [&](llvm::Value* c, const Carried& cur) {
          std::array<std::array<llvm::Value*, 2>, kGroups> q;
          for (int g = 0; g < kGroups; ++g) q[g] = chunk_quants(b, p, blk, c, g);
          auto* k = b.CreateAdd(b.CreateMul(blk, i64c(b, kBlock)), b.CreateMul(c, i64c(b, 4)));
          Carried next(cur.size());
          for (size_t r = 0; r < slots.size(); ++r) {
            std::array<llvm::Value*, 2> x{input_quad(b, in, slots[r], k),
                                          input_quad(b, in, slots[r], b.CreateAdd(k, i64c(b, kBlock / 2)))};
            for (int g = 0; g < kGroups; ++g) {
              size_t at = r * kGroups + static_cast<size_t>(g);
              if (vnni)
                next[at] = byte_dot_i32(b, byte_dot_i32(b, cur[at], q[g][0], x[0], true), q[g][1], x[1], true);
              else
                next[at] =
                    b.CreateAdd(cur[at], b.CreateAdd(byte_madd_i16(b, q[g][0], x[0]), byte_madd_i16(b, q[g][1], x[1])));
            }
          }
          return next;
        },
        "chunk");
  };
  const size_t n = slots.size() * kGroups;
  Carried zero32(n, llvm::Constant::getNullValue(i32x(b, 8)));
  if (vnni) return chunks(i64c(b, 0), zero32);
  Carried zero16(n, llvm::Constant::getNullValue(i16x16));
  auto widened = [&](llvm::Value* c0, const Carried& acc) {
    Carried sums = chunks(c0, zero16);
    for (size_t i = 0; i < n; ++i)
      sums[i] = acc.empty() ? widen_pairs_i32(b, sums[i]) : b.CreateAdd(acc[i], widen_pairs_i32(b, sums[i]));
    return sums;
  };
  if (span == p.at.chunks()) return widened(i64c(b, 0), {});
  return emit_rolled_for_carry(b, i64c(b, 0), i64c(b, p.at.chunks()), span, zero32, widened, "span");
}

// Piece `blk`'s block sums of `slots` scaled into `acc` ([row][group] f32 lanes): the
// exact i32 sums times the column's and the row's block scales, plus the offset's term.
void add_scaled(Builder& b, const QuantizedRows& in, const std::vector<llvm::Value*>& slots, llvm::Value* blk,
                const Carried& sums, const std::array<BlockScales, kGroups>& w, Carried& acc) {
  for (int g = 0; g < kGroups; ++g)
    for (size_t r = 0; r < slots.size(); ++r) {
      size_t at = r * kGroups + static_cast<size_t>(g);
      auto* scale = b.CreateFMul(w[g].d, splat(b, 8, in.scale(b, slots[r], blk)));
      acc[at] = fma(b, b.CreateSIToFP(sums[at], f32x(b, 8)), scale, acc[at]);
      if (w[g].m) acc[at] = fma(b, w[g].m, splat(b, 8, in.sum(b, slots[r], blk)), acc[at]);
    }
}

// A K type's super-block's end (super_block_sums.h) for the panel's sums, the mins read back
// from `min_of(g, piece)`: [row][group] in 8 lanes, or with 512-bit VNNI a register of the
// panel's 16 columns per row (one group).
Carried end_super_block(Builder& b, const QuantizedRows& in, const WeightPanel& p,
                        const std::vector<llvm::Value*>& slots, llvm::Value* super, const Carried& isums,
                        const Carried& acc, const std::function<llvm::Value*(int, int)>& min_of) {
  const unsigned lanes = llvm::cast<llvm::FixedVectorType>(isums.front()->getType())->getNumElements();
  const int groups = static_cast<int>(kPanelCols / lanes);
  return end_super_blocks(b, in, slots, groups, super, isums, acc, min_of,
                          [&](int g) { return p.super_d(b, super, g, lanes); });
}

// tile_sums of a K type's panel for fewer than kTileRows rows (decode): per super-block,
// its eight pieces' integer scales and mins are unpacked once, by shifts of constants, into
// stack scratch that a rolled loop over the pieces reads, each piece's exact i32 sums times
// its scale summed in i32 (super_blocks.h, integer_scales). Unpacking a runtime piece's
// took variable shifts and selects per piece and column group, some 40% of the loop's
// instructions; unrolling the pieces instead keeps every piece's scales live at once.
// With 512-bit VNNI a row's sixteen columns are one register throughout — the scales and
// mins unpacked as one register per piece, the pieces' sums scaled and the super-block
// ended in 16 lanes — and the column groups part only after the last super-block.
Carried super_decode_sums(Builder& b, const QuantizedRows& in, const WeightPanel& p,
                          const std::vector<llvm::Value*>& slots, bool vnni) {
  constexpr int kPieces = 8;
  const bool wide = vnni && use_vnni512(*b.GetInsertBlock()->getParent());
  const int units = wide ? 1 : kGroups;  // registers per row
  const auto lanes = static_cast<unsigned>(kPanelCols / units);
  const llvm::Align align(4 * lanes);
  auto* unit = i32x(b, lanes);
  auto* scratch = stack_array(b, unit, units * kPieces * 2, 4 * lanes);
  auto slot = [&](int u, llvm::Value* piece, int field) {
    auto* i = b.CreateAdd(b.CreateMul(piece, i64c(b, 2)), i64c(b, (u * kPieces) * 2 + field));
    return b.CreateInBoundsGEP(unit, scratch, i);
  };
  Carried init(slots.size() * static_cast<size_t>(units), splat_f32(b, lanes, 0.0f));
  Carried sums = emit_for_carry(
      b, i64c(b, 0), i64c(b, p.blocks / kPieces), 1, init,
      [&](llvm::Value* super, const Carried& cur) {
        for (int u = 0; u < units; ++u)
          for (int piece = 0; piece < kPieces; ++piece) {
            KPieceInts w = wide ? p.at.wide_piece_ints(b, p.base, super, i64c(b, piece)) : p.ints(b, super, piece, u);
            b.CreateAlignedStore(w.scale, slot(u, i64c(b, piece), 0), align);
            b.CreateAlignedStore(w.min, slot(u, i64c(b, piece), 1), align);
          }
        Carried zero(slots.size() * static_cast<size_t>(units), llvm::Constant::getNullValue(unit));
        Carried isums = emit_rolled_for_carry(
            b, i64c(b, 0), i64c(b, kPieces), 1, zero,
            [&](llvm::Value* piece, const Carried& acc) {
              auto* blk = b.CreateAdd(b.CreateMul(super, i64c(b, kPieces)), piece);
              p.prefetch_piece(b, blk);
              Carried sums =
                  wide ? wide_nibble_sums(b, in, p, slots, blk) : nibble_block_sums(b, in, p, slots, blk, vnni);
              Carried next(acc.size());
              for (int u = 0; u < units; ++u) {
                auto* scale = b.CreateAlignedLoad(unit, slot(u, piece, 0), align);
                for (size_t r = 0; r < slots.size(); ++r) {
                  size_t at = r * static_cast<size_t>(units) + static_cast<size_t>(u);
                  next[at] = b.CreateAdd(acc[at], b.CreateMul(sums[at], scale));
                }
              }
              return next;
            },
            "piece");
        // Group g's mins of piece j: its own register (with 512-bit VNNI, one for the panel).
        return end_super_block(b, in, p, slots, super, isums, cur,
                               [&](int g, int j) { return b.CreateAlignedLoad(unit, slot(g, i64c(b, j), 1), align); });
      },
      "super");
  return wide ? split_groups(b, sums) : sums;
}

// tile_sums of a K type's panel in a tile of kTileRows rows (prefill): a super-block is one
// iteration, its eight pieces unrolled, so each piece's integer scales are shifts by
// constants of the header's words, loaded once (bench_linear prefill512 q4_kx16: 1.74 ->
// 1.85x the FMA peak's rate as floats); with fewer rows (decode) the unrolled loop was
// slower (Mistral-7B shape Q4_K_M decode 7.8-8.0 -> 7.3-7.5 tok/s): super_decode_sums.
// With 512-bit VNNI a row's sixteen columns stay one register throughout, its f32 sums too:
// each piece's sums scaled by a multiply-add per row (q4: vpdpwssd), the super-block's end
// in 16 lanes (on 2 x 8, it took about a third of a tile's time).
Carried super_prefill_sums(Builder& b, const QuantizedRows& in, const WeightPanel& p,
                           const std::vector<llvm::Value*>& slots, bool vnni) {
  constexpr int kPieces = 8;
  const bool wide = vnni && use_vnni512(*b.GetInsertBlock()->getParent());
  Carried init(wide ? slots.size() : slots.size() * kGroups, splat_f32(b, wide ? 16 : 8, 0.0f));
  Carried sums = emit_for_carry(
      b, i64c(b, 0), i64c(b, p.blocks / kPieces), 1, init,
      [&](llvm::Value* super, const Carried& cur) {
        auto wide_ints = [&](int piece) { return p.at.wide_piece_ints(b, p.base, super, i64c(b, piece)); };
        Carried isums(wide ? slots.size() : cur.size(), nullptr);
        auto add = [&](size_t at, llvm::Value* sum, llvm::Value* scale) {
          auto* scaled = b.CreateMul(sum, scale);
          isums[at] = isums[at] ? b.CreateAdd(isums[at], scaled) : scaled;
        };
        for (int piece = 0; piece < kPieces; ++piece) {
          auto* blk = b.CreateAdd(b.CreateMul(super, i64c(b, kPieces)), i64c(b, piece));
          p.prefetch_piece(b, blk);
          if (wide) {
            Carried halves = wide_tile_nibble_halves(b, in, p, slots, blk);
            auto* scale = wide_ints(piece).scale;
            if (p.at.has_high()) {
              for (size_t r = 0; r < slots.size(); ++r) add(r, b.CreateAdd(halves[2 * r], halves[2 * r + 1]), scale);
              continue;
            }
            // A q4 half's sum fits an i16 lane (16 x 15 x 127 = 30480 < 2^15) and the scale
            // (< 64) is the low i16 of its lane: one vpdpwssd multiplies and adds it.
            auto* scale16 = b.CreateBitCast(scale, i16x(b, 32));
            for (size_t at = 0; at < halves.size(); ++at)
              isums[at / 2] =
                  add_weighted_pairs_i32(b, isums[at / 2], b.CreateBitCast(halves[at], i16x(b, 32)), scale16, true);
            continue;
          }
          Carried sums = nibble_block_sums(b, in, p, slots, blk, vnni);
          for (int g = 0; g < kGroups; ++g) {
            auto* scale = p.ints(b, super, piece, g).scale;
            for (size_t r = 0; r < slots.size(); ++r)
              add(r * kGroups + static_cast<size_t>(g), sums[r * kGroups + static_cast<size_t>(g)], scale);
          }
        }
        return end_super_block(b, in, p, slots, super, isums, cur,
                               [&](int g, int j) { return wide ? wide_ints(j).min : p.ints(b, super, j, g).min; });
      },
      "super");
  return wide ? split_groups(b, sums) : sums;
}

// The f32 sums over all blocks of `rows` rows x the panel's 16 columns: [row][group].
Carried tile_sums(Builder& b, const QuantizedRows& in, const WeightPanel& p, const std::vector<llvm::Value*>& slots) {
  bool vnni = use_vnni(*b.GetInsertBlock()->getParent());
  if (p.at.six_bit()) return six_bit_tile_sums(b, in, p, slots);
  if (p.at.super_blocks() && slots.size() < kTileRows) return super_decode_sums(b, in, p, slots, vnni);
  if (p.at.super_blocks()) return super_prefill_sums(b, in, p, slots, vnni);
  Carried init(slots.size() * kGroups, splat_f32(b, 8, 0.0f));
  return emit_for_carry(
      b, i64c(b, 0), i64c(b, p.blocks), 1, init,
      [&](llvm::Value* blk, const Carried& cur) {
        Carried next(cur);
        Carried sums = p.nibbles          ? nibble_block_sums(b, in, p, slots, blk, vnni)
                       : in.flips_signs() ? split_groups(b, wide_q8_block_sums(b, in, p, slots, blk))
                                          : q8_block_sums(b, in, p, slots, blk, vnni);
        std::array<BlockScales, kGroups> w;
        for (int g = 0; g < kGroups; ++g) w[g] = p.scales(b, blk, g);
        add_scaled(b, in, slots, blk, sums, w, next);
        return next;
      },
      "blk");
}

// Rows [slot0, slot0 + tile) of the row block (input rows t0 + slot) x the panel at
// column n0, through the epilogue, or as sums when it comes after the panel's rows.
void tile(Builder& b, LinearIO& io, const QuantizedRows& in, const WeightPanel& p, llvm::Value* t0, llvm::Value* slot0,
          int tile_rows, llvm::Value* n0) {
  std::vector<llvm::Value*> slots;
  for (int r = 0; r < tile_rows; ++r) slots.push_back(b.CreateAdd(slot0, i64c(b, r)));
  Carried sums = tile_sums(b, in, p, slots);
  for (size_t r = 0; r < slots.size(); ++r)
    for (int g = 0; g < kGroups; ++g)
      io.store_or_defer(b.CreateAdd(t0, slots[r]), b.CreateAdd(n0, i64c(b, 8 * g)),
                        sums[r * kGroups + static_cast<size_t>(g)], 8);
}

// Input rows [t0, t0 + rows) x the call's panels: with AMX (`tiles`), rows by 16 on the
// tile unit (tile_panels.h); then tiles of kTileRows rows (a K type's with 512-bit
// VNNI: kWideTileRows), then halving tiles for the rest (4 + 2 + 1 for 7 rows), so no row
// is computed twice.
void row_block(Builder& b, const LinearShape& s, LinearIO& io, const QuantizedRows& in, const TileScratch* tiles,
               llvm::Value* t0, llvm::Value* rows) {
  if (!io.plain_input()) io.prepare_rows(t0, rows);
  in.fill(b, io, t0, rows);
  const PanelLayout at(s.wtype);
  const bool nibbles = !signed_quants(s.wtype);
  const int top = at.super_blocks() && use_vnni512(*b.GetInsertBlock()->getParent()) ? kWideTileRows : kTileRows;
  emit_for(
      b, io.col_begin(), io.col_end(), kPanelCols,
      [&](llvm::Value* n0) {
        WeightPanel p{at, nibbles, at.panel(b, io.w(), b.CreateUDiv(n0, i64c(b, kPanelCols)), s.K), s.K / kBlock};
        llvm::Value* done = tiles ? tile_panel_rows(b, io, in, p, *tiles, t0, rows, n0) : i64c(b, 0);
        for (int t = top; t >= 1; t /= 2) {
          auto* end = b.CreateAdd(done, b.CreateAnd(b.CreateSub(rows, done), i64c(b, ~int64_t{t - 1})));
          emit_for(b, done, end, t, [&](llvm::Value* slot0) { tile(b, io, in, p, t0, slot0, t, n0); }, "rtile");
          done = end;
        }
      },
      "panel");
  if (io.defers_epilogue()) io.finish_outputs(t0, rows, io.col_begin(), io.col_end());
}

}  // namespace

void emit_linear_panels(Builder& b, const LinearShape& s, LinearIO& io, bool int8_tiles) {
  const int64_t rows = rows_per_block(s);
  QuantizedRows in(b, rows, s.K, s.wtype);
  std::optional<TileScratch> tiles;
  if (int8_tiles) tiles.emplace(b, s.K, scale_parts(s.wtype));
  emit_for(
      b, io.row_begin(), io.row_end(), rows,
      [&](llvm::Value* t0) {
        row_block(b, s, io, in, tiles ? &*tiles : nullptr, t0, min64(b, i64c(b, rows), b.CreateSub(io.row_end(), t0)));
      },
      "tb");
}

}  // namespace lmc::codegen
