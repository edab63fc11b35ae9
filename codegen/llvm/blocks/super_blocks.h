// The K types' super-blocks (q4_k, q5_k, q6_k, q3_k, q2_k: GGUF's K-quants of 256 values, and
// iq4_xs, as the file stores them) read by the linear kernels in eight pieces of 32 values, each
// as a block of the 32-value types would be read: its quants as bytes for the byte madds,
// its scales as f32 lanes (eight columns' super-blocks, one per lane). A piece's scale is
// d * scale and its offset -(dmin * min), products exact in f32, so a weight's values are
// ggml's dequantization bit for bit; a q6_k or q3_k piece is two halves of 16 with a scale
// each, a q2_k piece two with a scale and an offset each, an iq4_xs piece one block of iq4
// values under d * (scale - 32).
// In the row-major readers the piece is a constant: a kernel unrolls a super-block's
// eight, and the header loads and 6-bit unpacking they share fold into one. The panels'
// scales (weight_blocks.h, PanelLayout) take it at run time.
#pragma once
#include <array>

#include "codegen/llvm/blocks/weight_blocks.h"

namespace lmc::codegen {

// Pieces of 32 values in a block of t: 8 for the K types, 1 for the others.
int block_pieces(ir::DType t);

// Piece j (an i64, constant or not) of eight (or sixteen) q4_k/q5_k super-blocks, one per
// lane, from their 12 bytes of 6-bit scales and mins as three i32 lanes each: the scale and
// the min as i32 lanes.
KPieceInts k_piece_ints(Builder& b, const std::array<llvm::Value*, 3>& words, llvm::Value* j);
// Whether a type's kernels sum a whole super-block's products exactly in i32, each piece's
// (or half-piece's) sums times its integer scale, and take the zero point's Σ scale·Σx
// (q6_k) or the mins' Σ min·Σx (q4_k, q5_k) off in integers too, then scale by d (and
// dmin) and the input row's q8_K scale into f32 once per super-block — ggml's K·q8_K
// order. The float path converted and scaled every piece, as much work as the madds in
// the prefill GEMM. q6_k weights its halves in the madds' widening step (pmaddwd with the
// scales in place of ones); q4_k and q5_k multiply each piece's i32 sums by its scale
// (super_block_sums.h).
bool integer_scales(ir::DType t);
// Eight q4_k/q5_k super-blocks' d and dmin as f32 lanes; piece j's scale and min as i32 lanes.
std::array<llvm::Value*, 2> k_d_dmin(Builder& b, const std::vector<llvm::Value*>& supers);
KPieceInts k_piece_ints(Builder& b, const std::vector<llvm::Value*>& supers, int j);
// Eight q6_k super-blocks' d as f32 lanes; piece j's two scales (values 0..15 and 16..31) as
// i32 lanes.
llvm::Value* q6_k_d(Builder& b, const std::vector<llvm::Value*>& supers);
std::array<llvm::Value*, 2> q6_k_piece_scales(Builder& b, const std::vector<llvm::Value*>& supers, int j);
// The quants of a q6_k super-block's half (0: values 0..127, 1: 128..255) as two <64 x i8>:
// its pieces 0 and 1, then 2 and 3, each piece's 32 bytes as its decoder (q6_k_decoder) gives them.
std::array<llvm::Value*, 2> q6_k_piece_pairs(Builder& b, llvm::Value* super, int half);
// The 16 scales of the q6_k super-block at `super` as <16 x i16>, sub-block order.
llvm::Value* q6_k_scales_i16(Builder& b, llvm::Value* super);

}  // namespace lmc::codegen
