// The int8 input rows of the linear kernels' integer paths (decode's byte madds and
// prefill's int8 GEMM): each row's values, as the region's prologue computes them,
// rounded as ggml rounds the activations its dot products read, so that a weight from a
// GGUF meets the numbers llama.cpp's kernels see. Blocks of 32 (q8_0's and q8_1's) take
// q = round(x * 127/max|x|) (half to even) with the scale max|x|/127 stored as f16; for
// weight formats with an offset (the q4/q5 blocks kept from a file) also each block's
// d·Σq, which the offset meets: as q8_1 stores it (f16, from the unrounded d) for q4_1
// and q5_1, the exact d·Σq for q4_0 and q5_0, whose offset is a constant -8 or -16.
// Weights in super-blocks of 256 (the K types) read q8_K rows: one scale per 256 values,
// q = round(x * 127/max|x|) and d = 1 / (127 / max|x|) in f32, the offset's sums per 32 in
// f32 (per 16 for q2_k, whose halves have an offset each), or as integers Σq for the mins
// of q4_k and q5_k, which the kernels sum in integers (super_blocks.h, integer_scales). For
// weights with a zero point (q6_k, q3_k) the integer Σq of each half of a block, which the
// kernels multiply by it. Both paths round a row the same way, so a row's numbers do not
// depend on the path.
#pragma once
#include "codegen/llvm/linear/linear_common.h"

namespace lmc::codegen {

class QuantizedRows {
 public:
  static constexpr int64_t kBlock = 32;

  // Stack scratch for up to `rows` rows of K values, rounded for weights of type `w`.
  QuantizedRows(Builder& b, int64_t rows, int64_t K, ir::DType w);

  // Input rows [t0, t0 + rows) into slots [0, rows). A prologue's row statistics must
  // be prepared for them (LinearIO::prepare_rows).
  void fill(Builder& b, LinearIO& io, llvm::Value* t0, llvm::Value* rows) const;

  int64_t blocks() const { return K_ / kBlock; }
  // &q[slot][k] (bytes), and the f32 scale / block sum of block `blk` of a slot; with
  // offsets per part (part_offsets), the sum of the block's part `part`.
  llvm::Value* quants(Builder& b, llvm::Value* slot, llvm::Value* k) const;
  llvm::Value* scale(Builder& b, llvm::Value* slot, llvm::Value* blk) const;
  llvm::Value* sum(Builder& b, llvm::Value* slot, llvm::Value* blk, int part = 0) const;
  // The i32 Σq of half `part` (values 0..15 or 16..31) of block `blk` of a slot, as the
  // weights' zero point needs it (weight_blocks.h).
  llvm::Value* quant_sum(Builder& b, llvm::Value* slot, llvm::Value* blk, int part) const;
  // Both halves' Σq of block `blk` as one i32 (two i16: |Σq| <= 16 * 127), for a pmaddwd
  // against two scales; and the 16 halves' of the blocks from `blk` (a super-block's).
  llvm::Value* quant_sum_pair(Builder& b, llvm::Value* slot, llvm::Value* blk) const;
  llvm::Value* quant_sums16(Builder& b, llvm::Value* slot, llvm::Value* blk) const;
  // The integer Σq of blocks blk and blk + 1 (blk even) as one i32 (two i16: |Σq| <= 32 *
  // 127), for the mins of integer-scaled weights with offsets (q4_k, q5_k: super_blocks.h).
  llvm::Value* piece_sum_pair(Builder& b, llvm::Value* slot, llvm::Value* blk) const;
  // Whether the kernel reads q8_0 panels with 512-bit VNNI, whose signed weights the madds
  // take as w + 128: Σ(w + 128)·q - 128·Σq, with the i32 Σq of block `blk` of a slot kept.
  bool flips_signs() const { return flips_signs_; }
  llvm::Value* block_quant_sum(Builder& b, llvm::Value* slot, llvm::Value* blk) const;

 private:
  int64_t K_;
  int64_t group_;     // values under one scale: 32, or 256 for the K types (q8_K)
  bool half_sums_;    // block sums rounded to f16, as q8_1's
  int sum_parts_;     // sums per block: 2 for q2_k's halves, else 1
  bool flips_signs_;
  llvm::Value* q_;    // i8 [rows * K]
  llvm::Value* d_;    // f32 [rows * K/32]
  llvm::Value* sum_;  // f32 [rows * K/32 * sum_parts_], or null
  llvm::Value* qsum_;  // i16 [rows * K/16], or null
  llvm::Value* psum_;  // i16 [rows * K/32] (the K types' mins, q8_0 panels' flipped signs), or null

  llvm::Value* quant_sum_ptr(Builder& b, llvm::Value* slot, llvm::Value* blk, int part) const;

  llvm::Value* slot_block(Builder& b, llvm::Value* slot, llvm::Value* blk) const;
  void fill_group(Builder& b, LinearIO& io, llvm::Value* t, llvm::Value* slot, llvm::Value* group) const;
};

}  // namespace lmc::codegen
