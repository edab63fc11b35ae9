// The x16 panels (q8_0x16, the q4/q5 blocks' and the K types' q4_kx16, q5_kx16, q6_kx16) on the AMX
// int8 tiles, for prefill's row blocks (linear_panels.cpp). A block (a K type's piece) of
// 32 k is a B tile of 8 rows of 16 columns x 4 bytes, the VNNI order the panel's chunks
// already have: q8_0's are read as stored, q4/q5 nibbles are unpacked once per panel and
// reused by every 16 input rows of the block. A tile of 16 rows takes one tdpbssd (q8_0)
// or tdpbsud (the unsigned nibbles) per block: the 512-bit VNNI tiles' sums, exact in i32.
// The 16 x 16 sums are stored and scaled in AVX-512 as the VNNI tiles scale theirs, lane
// by lane — a block's by its f16 scales and offset, a K type's piece by its integer scale
// and the super-block ended by end_super_blocks; q6_kx16's piece halves on the tiles apart,
// each by its own scale (six_bit_panels.h) — so a row's output has the same bits on either
// unit (test_linear_tile_bits).
//
// LLVM writes the tile configuration (ldtilecfg, tilerelease) from the intrinsics' shapes.
// A kernel takes them where it is asked to or by default on a target with AMX-TILE, AMX-INT8
// and 512-bit VNNI, whose lanes the sums end in (codegen/prefill_choice.h). The tiles run
// only where the process holds the tile state (support/tile_state.h): a native target
// leaves AMX out otherwise.
#pragma once
#include "codegen/llvm/linear/panel_chunks.h"
#include "codegen/llvm/linear/quantized_rows.h"

namespace lmc::codegen {

// Stack scratch of a kernel's tile path: a panel's unpacked B tiles for K, the sums of a
// super-block's pieces (or of one block) and the f32 sums of a row tile.
struct TileScratch {
  llvm::Value* b_tiles;   // i8 [K/32 x 8 x 64]
  llvm::Value* c_tiles;   // i32 [8 pieces x parts x 16 rows x 16]
  llvm::Value* sums;      // f32 [16 rows x 16]
  // `parts`: a piece's parts summed apart (scale_parts: q6_kx16's two halves).
  TileScratch(Builder& b, int64_t K, int parts);
};

// Rows [0, rows & ~15) of the row block (input rows t0 + slot) x panel p at column n0 on
// the tiles, through the epilogue. Returns the rows done; the caller's tiles take the rest.
llvm::Value* tile_panel_rows(Builder& b, LinearIO& io, const QuantizedRows& in, const WeightPanel& p,
                             const TileScratch& scratch, llvm::Value* t0, llvm::Value* rows, llvm::Value* n0);

}  // namespace lmc::codegen
