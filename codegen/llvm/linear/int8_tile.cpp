// The register tile's 512-bit forms shared by the panels' and the repacked weights' int8
// GEMMs (int8_tile.h).
#include "codegen/llvm/linear/int8_tile.h"

namespace lmc::codegen::int8_tile {

llvm::Value* input_quads(Builder& b, const QuantizedRows& in, llvm::Value* slot, llvm::Value* k, unsigned lanes) {
  auto* bytes = b.CreateAlignedLoad(b.getInt32Ty(), in.quants(b, slot, k), llvm::Align(4));
  return b.CreateBitCast(splat(b, lanes, bytes), i8x(b, 4 * lanes));
}

llvm::Value* input_quad16(Builder& b, const QuantizedRows& in, llvm::Value* slot, llvm::Value* k) {
  return input_quads(b, in, slot, k, 16);
}

Carried split_groups(Builder& b, const Carried& wide) {
  Carried out;
  for (llvm::Value* v : wide)
    for (llvm::Value* group : halves(b, v)) out.push_back(group);
  return out;
}

}  // namespace lmc::codegen::int8_tile
