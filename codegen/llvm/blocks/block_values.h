// A kept block's values as f32 (q4_0 ... q6_k, iq4 and the other types a file's blocks come in,
// a K type's super-block in its pieces of 32): each value d * q (+ m), in the order gguf-py
// computes it, no fused multiply-add. What reads a block as numbers rather than as the
// byte madds' quants: the embedding's rows, the bf16 tiles' weights.
#pragma once
#include "codegen/llvm/blocks/weight_blocks.h"

namespace lmc::codegen {

// Piece `piece` (0 for the 32-value types) of the block at `block`, as <32 x float>.
llvm::Value* kept_piece_values(Builder& b, ir::DType t, llvm::Value* block, int piece);

}  // namespace lmc::codegen
