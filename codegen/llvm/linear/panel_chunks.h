// Reading a linear's x16 weight panel (ir/dtype.h's layouts, codegen/llvm/blocks/
// weight_blocks.h's PanelLayout) a chunk at a time, for linear_panels.cpp's tiles: the chunk's
// bytes with the weights prefetched ahead, and a q4/q5/q6 chunk unpacked into its unsigned quants.
#pragma once
#include <array>

#include "codegen/llvm/blocks/weight_blocks.h"
#include "codegen/llvm/linear/linear_common.h"

namespace lmc::codegen {

// Weights are prefetched this far ahead of the chunk being read: without it the hardware
// prefetchers leave DRAM bandwidth unused, and the loads of a tile of 2–4 rows, whose
// loop holds more instructions per byte, stall it. A short distance: on Zen 4, where
// software prefetches fill L1, 2 panels (~22 KB) ahead evicted the lines before their use
// — Gemma 3's output projection, one thread, 1/2/4 rows: 7.2/15.2/16.4 ms at 2 panels,
// 5.6/6.4/10.6 at 1 KB, 9.0/9.2/12.7 at 2 KB (bench_linear batch_q8_0x16/640x262144).
// On Zen 5 at 7B shapes 1 KB was too short: decode_q4_kx16_cold/4096x14336, one thread,
// 27.4 (1 KB) / 29.2 (2 KB) / 33.0 (4 KB) / 36.4 (8 KB) / 36.4 (16 KB) GB/s, and the
// output projection's 1/2/4 rows 5.9/6.3/7.9 -> 4.5/4.3/7.0 µs at 8 KB.
constexpr int64_t kPrefetchBytes = 8192;

struct WeightPanel {
  PanelLayout at;
  bool nibbles;         // q4/q5 blocks, q6_kx16 (else q8_0)
  llvm::Value* base;    // the panel's first byte
  int64_t blocks;       // K / 32

  llvm::Value* chunk(Builder& b, llvm::Value* blk, llvm::Value* c, int g) const {
    return at.chunk(b, at.block(b, base, blk), c, i64c(b, 8 * g));
  }
  // A chunk of columns 8g .. 8g + 7, prefetching ahead for the first group (a K type's
  // readers prefetch a piece whole instead: prefetch_piece).
  llvm::Value* load_chunk(Builder& b, llvm::Value* blk, llvm::Value* c, int g) const {
    llvm::Value* ptr = chunk(b, blk, c, g);
    if (g == 0 && !at.super_blocks()) prefetch_ahead(b, ptr, kPrefetchBytes);
    return b.CreateAlignedLoad(i8x(b, 32), ptr, llvm::Align(1));
  }
  // Prefetches kPrefetchBytes ahead of every line of a K type's piece blk and a line of its
  // super-block's header (piece j its line j, the last line for the pieces past it), so
  // the panel's whole stream is prefetched. Prefetching the chunks alone left the header
  // (and q6_kx16's high parts: a third of its stream) to demand misses: the decode GEMV
  // from memory ran q6_kx16 at half the row-major q6_k's rate, q4_kx16 at 0.8x q4_k's.
  void prefetch_piece(Builder& b, llvm::Value* blk) const;
  BlockScales scales(Builder& b, llvm::Value* blk, int g) const { return at.scales(b, base, blk, 8 * g); }
  // A K type's super-block's d and dmin, and piece `piece`'s scale and min, as integers.
  std::array<llvm::Value*, 2> super_d(Builder& b, llvm::Value* super, int g, unsigned lanes) const {
    return at.super_d(b, base, super, 8 * g, lanes);
  }
  KPieceInts ints(Builder& b, llvm::Value* super, int piece, int g) const {
    return at.piece_ints(b, base, super, i64c(b, piece), 8 * g);
  }
};

// The unsigned quants of chunk c of columns 8g .. 8g + 7: the low nibbles (k) and the
// high ones (k + 16), with their fifth bits for q5, their two high bits for q6_kx16 (whose
// values stand 32 below: zero_point).
std::array<llvm::Value*, 2> chunk_quants(Builder& b, const WeightPanel& p, llvm::Value* blk, llvm::Value* c, int g);
// chunk_quants of both column groups as one 64-byte register each (low, high nibbles). The
// groups' chunks are adjacent, so a q4 chunk is one load and one unpacking for 16 columns.
// A K type's chunk's reader prefetches its piece (WeightPanel::prefetch_piece).
std::array<llvm::Value*, 2> wide_chunk_quants(Builder& b, const WeightPanel& p, llvm::Value* blk, llvm::Value* c);

}  // namespace lmc::codegen
