// How the kernels read one block type: its quants as bytes for the byte madds, and the
// scales of eight blocks (eight output columns') as f32 lanes. Each block row of
// ir/block_types.def names its decoder, defined beside the code that reads its format
// (weight_blocks.cpp, super_blocks.cpp); its other facts (signed quants, zero point,
// parts) are the row's ir::BlockTraits.
#pragma once
#include <vector>

#include "codegen/llvm/blocks/weight_blocks.h"

namespace lmc::codegen {

struct BlockDecoder {
  // Block `block`'s quants; of a super-block, those of its 32-value piece `piece`.
  WeightBlock (*quants)(Builder& b, ir::DType t, llvm::Value* block, int piece);
  // The scales of `blocks` (eight, one per lane); of super-blocks, of their piece `piece`.
  BlockScales (*scales)(Builder& b, ir::DType t, const std::vector<llvm::Value*>& blocks, int piece);
};

#define LMC_BLOCKS(name, GgufName, decoder, ...) extern const BlockDecoder decoder;
#include "ir/block_types.def"

// The decoder of t's row (of its row-major base, for the x16 types); t is a block type.
const BlockDecoder& block_decoder(ir::DType t);

}  // namespace lmc::codegen
