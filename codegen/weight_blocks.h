// The block formats weights (and q8_0 KV caches) come in (q8_0, q4_0, q4_1, q5_0, q5_1:
// GGUF's layouts, see ir/dtype.cpp), decoded as bytes for the integer dot products of
// decode, and as f32 values for prefill's FMA panels, embedding rows and cache rows.
#pragma once
#include "codegen/llvm_helpers.h"
#include "ir/dtype.h"

namespace lmc::codegen {

// One weight block as the byte madds take it: `u` are 32 unsigned bytes and `sign`,
// when set, the signs to move onto the input (q8_0: u = |w|, sign = w). The block's
// value is d * u (signed by `sign`) + m per element: `m` is null for q8_0, m for q4_1 and
// q5_1, -8d for q4_0 and -16d for q5_0, and meets the input block through its sum. d and
// m are 8-lane splats.
struct WeightBlock {
  llvm::Value* u;
  llvm::Value* sign;
  llvm::Value* d;
  llvm::Value* m;
};

WeightBlock load_weight_block(Builder& b, ir::DType t, llvm::Value* block);

// The d and m (as in WeightBlock; m null for q8_0) of eight blocks, one block per lane:
// the scales of eight output columns' blocks, converted from f16 in one instruction.
struct BlockScales {
  llvm::Value* d;
  llvm::Value* m;
};
BlockScales load_block_scales(Builder& b, ir::DType t, const std::vector<llvm::Value*>& blocks);

// VNNI (an opt-in host feature) fuses the byte madds' two steps into one vpdpbusd.
bool use_vnni(const llvm::Function& fn);

// acc (8 x i32, or null for zeros) + the sums of each lane's four byte products u·s, u
// unsigned and s signed (<32 x i8> each): pmaddubsw then pmaddwd, or vpdpbusd. The
// pairwise i16 sums of pmaddubsw cannot saturate while |u|, |s| <= 127 (q8_0's |w| and
// the input's quants) or u <= 31 (the 4- and 5-bit quants).
llvm::Value* byte_dot_i32(Builder& b, llvm::Value* acc, llvm::Value* u, llvm::Value* s, bool vnni);

// The 32 values of the block at `block`, as <32 x float>.
llvm::Value* block_values(Builder& b, ir::DType t, llvm::Value* block);

// Where q8_0x16's parts lie (ir/dtype.h): the int8 linear kernel multiplies the panels,
// the embedding reads a tied table's rows out of them.
namespace panel_layout {
constexpr int64_t kRows = 16;                                  // weight rows per panel
constexpr int64_t kScaleBytes = 2 * kRows;                     // a block's f16 scales, one per row
constexpr int64_t kQuadBytes = 4 * kRows;                      // 4 consecutive k of every row
constexpr int64_t kBlockBytes = kScaleBytes + 8 * kQuadBytes;  // a block of 32 k of the panel
static_assert(kBlockBytes == kRows * 34, "a panel's block holds its rows' q8_0 blocks");

// &panel p of a weight with K columns.
llvm::Value* panel(Builder& b, llvm::Value* w, llvm::Value* p, int64_t K);
// &block blk of a panel.
llvm::Value* block(Builder& b, llvm::Value* panel, llvm::Value* blk);
// &the f16 scale of row `row` (0..15) of a panel's block.
llvm::Value* scale(Builder& b, llvm::Value* block, llvm::Value* row);
// &the 4 bytes of row `row` for k = 4q .. 4q+3 of a panel's block; 8 consecutive rows'
// are one 32-byte load.
llvm::Value* quad(Builder& b, llvm::Value* block, llvm::Value* q, llvm::Value* row);
}  // namespace panel_layout

}  // namespace lmc::codegen
