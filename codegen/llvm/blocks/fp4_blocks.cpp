// GGUF's MXFP4 blocks (the OCP microscaling format): per 32 values an E8M0 scale byte and
// 16 bytes of E2M1 nibbles in q4_0's order. They are read as iq4_nl's are: the nibbles
// index the 16 E2M1 values, doubled to be integers, as signed quants, under half the
// block's power-of-two scale, so every product is exact as in ggml's dequantization.
#include "codegen/llvm/blocks/block_decoder.h"

namespace lmc::codegen {

namespace {

// E2M1 (a sign, 2 exponent bits, 1 mantissa bit) values times 2, by nibble.
constexpr std::array<int8_t, 16> kE2M1Doubled{0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12};

WeightBlock mxfp4_quants(Builder& b, ir::DType, llvm::Value* block, int) {
  return lookup_block(b, kE2M1Doubled, byte_ptr(b, block, i64c(b, 1)));
}

// Half of 2^(e - 127) for each block's scale byte e, built from its bits: e = 0 and 1 give
// the subnormals 2^-128 and 2^-127, e = 255 gives 2^127 (E8M0's NaN is not honoured).
BlockScales mxfp4_scales(Builder& b, ir::DType, const std::vector<llvm::Value*>& blocks, int) {
  llvm::Value* e = llvm::PoisonValue::get(i32x(b, 8));
  for (unsigned i = 0; i < 8; ++i)
    e = b.CreateInsertElement(e, b.CreateZExt(b.CreateLoad(b.getInt8Ty(), blocks[i]), b.getInt32Ty()), i);
  auto u32s = [&](uint32_t v) { return llvm::ConstantInt::get(i32x(b, 8), v); };
  auto* subnormal = b.CreateShl(u32s(0x00200000), e);
  auto* normal = b.CreateShl(b.CreateSub(e, u32s(1)), u32s(23));
  auto* bits = b.CreateSelect(b.CreateICmpULT(e, u32s(2)), subnormal, normal);
  return {b.CreateBitCast(bits, f32x(b, 8)), nullptr, nullptr};
}

}  // namespace

const BlockDecoder mxfp4_decoder{mxfp4_quants, mxfp4_scales};

}  // namespace lmc::codegen
