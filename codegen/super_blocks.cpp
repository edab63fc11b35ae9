#include "codegen/super_blocks.h"

namespace lmc::codegen {

namespace {

// Where a super-block's parts lie (GGUF). q4_k and q5_k: f16 d and dmin, then 12 bytes of
// 6-bit scales and mins, then (q5_k) 32 bytes whose byte l's bit j is value 32j + l's fifth
// bit, then 128 bytes of nibbles, pieces 2i and 2i + 1 in the low and high nibbles of 32
// bytes. q6_k: 128 bytes of low nibbles, 64 of 2-bit high parts, 16 signed scales, f16 d.
constexpr int64_t kScales = 4, kQ5High = 16;
constexpr int64_t kQ6High = 128, kQ6Scales = 192, kQ6D = 208;

int64_t nibbles_at(ir::DType t) { return t == ir::DType::q5_k ? 48 : 16; }

llvm::Value* u32s(Builder& b, uint32_t v) { return llvm::ConstantInt::get(i32x(b, 8), v); }

// The 32 bytes at `at` of a super-block, as eight i32 lanes.
llvm::Value* load_words(Builder& b, llvm::Value* super, int64_t at) {
  return b.CreateAlignedLoad(i32x(b, 8), byte_ptr(b, super, i64c(b, at)), llvm::Align(1));
}

// (v >> shift) & mask of i32 lanes.
llvm::Value* field(Builder& b, llvm::Value* v, unsigned shift, uint32_t mask) {
  return b.CreateAnd(shift ? b.CreateLShr(v, u32s(b, shift)) : v, u32s(b, mask));
}

// The i32 at byte `at` of eight super-blocks, one per lane.
llvm::Value* gather_words(Builder& b, const std::vector<llvm::Value*>& supers, int64_t at) {
  llvm::Value* v = llvm::PoisonValue::get(i32x(b, 8));
  for (unsigned i = 0; i < 8; ++i)
    v = b.CreateInsertElement(
        v, b.CreateAlignedLoad(b.getInt32Ty(), byte_ptr(b, supers[i], i64c(b, at)), llvm::Align(1)), i);
  return v;
}

// The f16 at byte `at` of eight super-blocks, as f32 lanes (a q6_k's d is its last two
// bytes: a wider load would read past the weight).
llvm::Value* gather_f16(Builder& b, const std::vector<llvm::Value*>& supers, int64_t at) {
  llvm::Value* v = llvm::PoisonValue::get(llvm::FixedVectorType::get(b.getHalfTy(), 8));
  for (unsigned i = 0; i < 8; ++i)
    v = b.CreateInsertElement(
        v, b.CreateAlignedLoad(b.getHalfTy(), byte_ptr(b, supers[i], i64c(b, at)), llvm::Align(1)), i);
  return b.CreateFPExt(v, f32x(b, 8));
}

// The f16 in the low (or high) half of i32 lanes, as f32.
llvm::Value* half_lanes(Builder& b, llvm::Value* words, bool high) {
  auto* h = b.CreateTrunc(high ? b.CreateLShr(words, u32s(b, 16)) : words, llvm::FixedVectorType::get(b.getInt16Ty(), 8));
  return b.CreateFPExt(b.CreateBitCast(h, llvm::FixedVectorType::get(b.getHalfTy(), 8)), f32x(b, 8));
}

WeightBlock four_five_bit_piece(Builder& b, ir::DType t, llvm::Value* super, int j) {
  unsigned nibble = 4 * static_cast<unsigned>(j % 2);
  llvm::Value* q = field(b, load_words(b, super, nibbles_at(t) + 32 * (j / 2)), nibble, 0x0F0F0F0F);
  if (t == ir::DType::q5_k) {
    auto* fifth = field(b, load_words(b, super, kQ5High), static_cast<unsigned>(j), 0x01010101);
    q = b.CreateOr(q, b.CreateShl(fifth, u32s(b, 4)));
  }
  return {b.CreateBitCast(q, i8x(b, 32)), nullptr};
}

// Piece j of a q6_k: in its half of 128 values, pieces r = 0..3 take the low nibbles of
// bytes 0..31, 32..63, then the high nibbles of both, and bits 2r, 2r + 1 of the high
// parts' 32 bytes.
WeightBlock six_bit_piece(Builder& b, llvm::Value* super, int j) {
  int half = j / 4, r = j % 4;
  auto* low = field(b, load_words(b, super, 64 * half + 32 * (r % 2)), 4 * static_cast<unsigned>(r / 2), 0x0F0F0F0F);
  auto* high = field(b, load_words(b, super, kQ6High + 32 * half), 2 * static_cast<unsigned>(r), 0x03030303);
  auto* q6 = b.CreateBitCast(b.CreateOr(low, b.CreateShl(high, u32s(b, 4))), i8x(b, 32));
  auto* q = b.CreateSub(q6, llvm::ConstantVector::getSplat(llvm::ElementCount::getFixed(32), b.getInt8(32)));
  return {b.CreateBinaryIntrinsic(llvm::Intrinsic::abs, q, b.getFalse()), q};
}

BlockScales four_five_bit_scales(Builder& b, const std::vector<llvm::Value*>& supers, int j) {
  auto* head = gather_words(b, supers, 0);
  std::array<llvm::Value*, 3> words{gather_words(b, supers, kScales), gather_words(b, supers, kScales + 4),
                                    gather_words(b, supers, kScales + 8)};
  return k_piece_scales(b, half_lanes(b, head, false), half_lanes(b, head, true), words, i64c(b, j));
}

// Piece j's two scales (values 0..15 and 16..31) of eight q6_k super-blocks: signed bytes
// 2j and 2j + 1 of the scales, times d.
BlockScales six_bit_scales(Builder& b, const std::vector<llvm::Value*>& supers, int j) {
  auto* d = gather_f16(b, supers, kQ6D);
  auto* words = gather_words(b, supers, kQ6Scales + 4 * (j / 2));
  auto scale = [&](int byte) {
    auto* v = b.CreateAShr(b.CreateShl(words, u32s(b, 24 - 8 * static_cast<uint32_t>(byte))), u32s(b, 24));
    return b.CreateFMul(d, b.CreateSIToFP(v, f32x(b, 8)));
  };
  int first = 2 * (j % 2);
  return {scale(first), nullptr, scale(first + 1)};
}

}  // namespace

// Piece j's 6-bit scale and min (ggml's get_scale_min_k4): pieces 0..3 in the low 6 bits of
// bytes j and j + 4, pieces 4..7 in the nibbles of byte j + 4 with the top 2 bits of bytes
// j - 4 and j above them. Each case reads byte j & 3 of the words, so one shift serves both.
BlockScales k_piece_scales(Builder& b, llvm::Value* d, llvm::Value* dmin, const std::array<llvm::Value*, 3>& words,
                           llvm::Value* j) {
  auto* at = b.CreateTrunc(b.CreateShl(b.CreateAnd(j, i64c(b, 3)), i64c(b, 3)), b.getInt32Ty());
  auto shifted = [&](llvm::Value* w) { return b.CreateLShr(w, splat(b, 8, at)); };
  llvm::Value *lo = shifted(words[0]), *mid = shifted(words[1]), *top = shifted(words[2]);
  auto* first_half = b.CreateICmpULT(j, i64c(b, 4));
  auto* scale = b.CreateSelect(first_half, field(b, lo, 0, 63),
                               b.CreateOr(field(b, top, 0, 0x0F), b.CreateShl(field(b, lo, 6, 3), u32s(b, 4))));
  auto* min = b.CreateSelect(first_half, field(b, mid, 0, 63),
                             b.CreateOr(field(b, top, 4, 0x0F), b.CreateShl(field(b, mid, 6, 3), u32s(b, 4))));
  return {b.CreateFMul(d, b.CreateUIToFP(scale, f32x(b, 8))),
          b.CreateFNeg(b.CreateFMul(dmin, b.CreateUIToFP(min, f32x(b, 8)))), nullptr};
}

int block_pieces(ir::DType t) { return static_cast<int>(ir::dtype_block_elems(t) / 32); }

WeightBlock load_super_piece(Builder& b, ir::DType t, llvm::Value* super, int piece) {
  return t == ir::DType::q6_k ? six_bit_piece(b, super, piece) : four_five_bit_piece(b, t, super, piece);
}

BlockScales load_super_scales(Builder& b, ir::DType t, const std::vector<llvm::Value*>& supers, int piece) {
  return t == ir::DType::q6_k ? six_bit_scales(b, supers, piece) : four_five_bit_scales(b, supers, piece);
}

}  // namespace lmc::codegen
