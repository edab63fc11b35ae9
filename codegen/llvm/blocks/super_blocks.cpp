#include "codegen/llvm/blocks/super_blocks.h"

#include "codegen/llvm/blocks/block_decoder.h"

namespace lmc::codegen {

namespace {

// Where a super-block's parts lie (GGUF). q4_k and q5_k: f16 d and dmin, then 12 bytes of
// 6-bit scales and mins, then (q5_k) 32 bytes whose byte l's bit j is value 32j + l's fifth
// bit, then 128 bytes of nibbles, pieces 2i and 2i + 1 in the low and high nibbles of 32
// bytes. q6_k: 128 bytes of low nibbles, 64 of 2-bit high parts, 16 signed scales, f16 d.
// q3_k: 32 bytes whose byte l's bit j is value 32j + l's third bit, 64 of 2-bit low parts
// (q6_k's high parts' order), 12 bytes of 6-bit scales, f16 d. iq4_xs: f16 d, a u16 of
// the scales' top 2 bits, 4 bytes of their low nibbles, then per piece 16 bytes of nibbles.
// q2_k: 16 bytes of a scale (low nibble) and min (high nibble) per 16 values, 64 bytes of
// 2-bit quants (q3_k's low parts' order), f16 d and dmin.
constexpr int64_t kScales = 4, kQ5High = 16;
constexpr int64_t kQ6High = 128, kQ6Scales = 192, kQ6D = 208;
constexpr int64_t kQ3Low = 32, kQ3Scales = 96, kQ3D = 108;
constexpr int64_t kIq4LowScales = 4, kIq4Nibbles = 8;
constexpr int64_t kQ2Quants = 16, kQ2D = 80, kQ2Dmin = 82;

int64_t nibbles_at(ir::DType t) { return t == ir::DType::q5_k ? 48 : 16; }

llvm::Value* u32s(Builder& b, uint32_t v) { return llvm::ConstantInt::get(i32x(b, 8), v); }

// The 32 bytes at `at` of a super-block, as eight i32 lanes.
llvm::Value* load_words(Builder& b, llvm::Value* super, int64_t at) {
  return b.CreateAlignedLoad(i32x(b, 8), byte_ptr(b, super, i64c(b, at)), llvm::Align(1));
}

// The constant v in every lane of `like`'s i32 vector type.
llvm::Value* u32s_as(llvm::Value* like, uint32_t v) { return llvm::ConstantInt::get(like->getType(), v); }

// (v >> shift) & mask of i32 lanes (8 or 16).
llvm::Value* field(Builder& b, llvm::Value* v, unsigned shift, uint32_t mask) {
  return b.CreateAnd(shift ? b.CreateLShr(v, u32s_as(v, shift)) : v, u32s_as(v, mask));
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
  auto* h = b.CreateTrunc(high ? b.CreateLShr(words, u32s(b, 16)) : words, i16x(b, 8));
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
// parts' 32 bytes; 0..63, 32 above the value (zero_point).
WeightBlock six_bit_piece(Builder& b, ir::DType, llvm::Value* super, int j) {
  int half = j / 4, r = j % 4;
  auto* low = field(b, load_words(b, super, 64 * half + 32 * (r % 2)), 4 * static_cast<unsigned>(r / 2), 0x0F0F0F0F);
  // The two high bits moved straight to bits 4..5 and masked there: one shift, not two.
  auto* words = load_words(b, super, kQ6High + 32 * half);
  int up = 4 - 2 * r;
  auto* moved = up > 0   ? b.CreateShl(words, u32s(b, static_cast<uint32_t>(up)))
                : up < 0 ? b.CreateLShr(words, u32s(b, static_cast<uint32_t>(-up)))
                         : words;
  auto* high = b.CreateAnd(moved, u32s(b, 0x30303030));
  return {b.CreateBitCast(b.CreateOr(low, high), i8x(b, 32)), nullptr};
}

}  // namespace

// Both nibbles of the half's 64 low-part bytes and its 32 high-part bytes, read once for its
// four pieces: piece r's two high bits sit at bits 2r, 2r + 1 of each byte and move to bits
// 4..5 by a shift of 4 - 2r (per i32 lane of the 32 bytes read twice over).
std::array<llvm::Value*, 2> q6_k_piece_pairs(Builder& b, llvm::Value* super, int half) {
  auto* low = b.CreateAlignedLoad(i8x(b, 64), byte_ptr(b, super, i64c(b, 64 * half)), llvm::Align(1));
  auto* nibble = llvm::ConstantVector::getSplat(llvm::ElementCount::getFixed(64), b.getInt8(0x0F));
  auto* high_nibbles = b.CreateBitCast(b.CreateLShr(b.CreateBitCast(low, i16x(b, 32)), 4), i8x(b, 64));
  auto* words = load_words(b, super, kQ6High + 32 * half);
  auto* both = concat(b, words, words);
  auto lanes = [&](uint32_t first, uint32_t second) {
    std::vector<llvm::Constant*> v;
    for (int i = 0; i < 16; ++i) v.push_back(b.getInt32(i < 8 ? first : second));
    return llvm::ConstantVector::get(v);
  };
  auto* bits45 = llvm::ConstantInt::get(i32x(b, 16), 0x30303030);
  auto* high01 = b.CreateAnd(b.CreateShl(both, lanes(4, 2)), bits45);
  auto* high23 = b.CreateAnd(b.CreateLShr(both, lanes(0, 2)), bits45);
  return {b.CreateOr(b.CreateAnd(low, nibble), b.CreateBitCast(high01, i8x(b, 64))),
          b.CreateOr(b.CreateAnd(high_nibbles, nibble), b.CreateBitCast(high23, i8x(b, 64)))};
}

namespace {

// Piece j of a q3_k: bits 2r, 2r + 1 (r = j % 4) of the low parts' 32 bytes of its half,
// the third bit j of the first 32 bytes; 0..7, 4 above the value (zero_point).
WeightBlock three_bit_piece(Builder& b, ir::DType, llvm::Value* super, int j) {
  int half = j / 4, r = j % 4;
  auto* low = field(b, load_words(b, super, kQ3Low + 32 * half), 2 * static_cast<unsigned>(r), 0x03030303);
  auto* third = field(b, load_words(b, super, 0), static_cast<unsigned>(j), 0x01010101);
  return {b.CreateBitCast(b.CreateOr(low, b.CreateShl(third, u32s(b, 2))), i8x(b, 32)), nullptr};
}

// Piece j of a q2_k: bits 2r, 2r + 1 (r = j % 4) of the quants' 32 bytes of its half.
WeightBlock two_bit_piece(Builder& b, ir::DType, llvm::Value* super, int j) {
  auto* q = field(b, load_words(b, super, kQ2Quants + 32 * (j / 4)), 2 * static_cast<unsigned>(j % 4), 0x03030303);
  return {b.CreateBitCast(q, i8x(b, 32)), nullptr};
}

// Piece j's scales and offsets (values 0..15 and 16..31) of eight q2_k super-blocks: of
// sub-blocks s = 2j, 2j + 1, d * (byte s & 15) and -(dmin * (byte s >> 4)).
BlockScales two_bit_scales(Builder& b, ir::DType, const std::vector<llvm::Value*>& supers, int j) {
  auto* d = gather_f16(b, supers, kQ2D);
  auto* dmin = gather_f16(b, supers, kQ2Dmin);
  auto* words = gather_words(b, supers, 4 * (j / 2));
  auto level = [&](int s, unsigned nibble) {
    return b.CreateUIToFP(field(b, words, 8 * static_cast<unsigned>(s % 4) + nibble, 0x0F), f32x(b, 8));
  };
  auto offset = [&](int s) { return b.CreateFNeg(b.CreateFMul(dmin, level(s, 4))); };
  BlockScales scales{b.CreateFMul(d, level(2 * j, 0)), offset(2 * j), b.CreateFMul(d, level(2 * j + 1, 0))};
  scales.m_hi = offset(2 * j + 1);
  return scales;
}

// Byte k of the 12 scale bytes of eight q3_k super-blocks as i32 lanes, read in whole
// words: a 4-byte load at byte k could reach past the weight's last super-block.
llvm::Value* q3_scale_byte(Builder& b, const std::vector<llvm::Value*>& supers, int k) {
  return field(b, gather_words(b, supers, kQ3Scales + 4 * (k / 4)), 8 * static_cast<unsigned>(k % 4), 0xFF);
}

// Piece j's two scales (values 0..15 and 16..31) of eight q3_k super-blocks: sub-blocks
// s = 2j, 2j + 1, each d * (scale - 32) of a 6-bit scale whose low nibble is byte s's
// (s < 8) or byte s - 8's high one, its top 2 bits bits 2(s / 4) of byte 8 + s % 4.
BlockScales three_bit_scales(Builder& b, ir::DType, const std::vector<llvm::Value*>& supers, int j) {
  auto* d = gather_f16(b, supers, kQ3D);
  auto scale = [&](int s) {
    auto* low =
        s < 8 ? field(b, q3_scale_byte(b, supers, s), 0, 0x0F) : field(b, q3_scale_byte(b, supers, s - 8), 4, 0x0F);
    auto* top = field(b, q3_scale_byte(b, supers, 8 + s % 4), 2 * static_cast<unsigned>(s / 4), 3);
    auto* biased = b.CreateSub(b.CreateOr(low, b.CreateShl(top, u32s(b, 4))), u32s(b, 32));
    return b.CreateFMul(d, b.CreateSIToFP(biased, f32x(b, 8)));
  };
  return {scale(2 * j), nullptr, scale(2 * j + 1)};
}

// Piece j's scale of eight iq4_xs super-blocks: d * (scale - 32) of the 6-bit scale whose
// low nibble is nibble j of the 4 bytes after the u16 and whose top 2 bits are bits 2j of it.
WeightBlock iq4_xs_piece(Builder& b, ir::DType, llvm::Value* super, int j) {
  return lookup_block(b, ir::iq4_values(), byte_ptr(b, super, i64c(b, kIq4Nibbles + 16 * j)));
}

BlockScales iq4_scales(Builder& b, ir::DType, const std::vector<llvm::Value*>& supers, int j) {
  auto* head = gather_words(b, supers, 0);
  auto* low = field(b, gather_words(b, supers, kIq4LowScales), 4 * static_cast<unsigned>(j), 0x0F);
  auto* top = field(b, head, 16 + 2 * static_cast<unsigned>(j), 3);
  auto* biased = b.CreateSub(b.CreateOr(low, b.CreateShl(top, u32s(b, 4))), u32s(b, 32));
  return {b.CreateFMul(half_lanes(b, head, false), b.CreateSIToFP(biased, f32x(b, 8))), nullptr, nullptr};
}

std::array<llvm::Value*, 3> k_scale_words(Builder& b, const std::vector<llvm::Value*>& supers) {
  return {gather_words(b, supers, kScales), gather_words(b, supers, kScales + 4), gather_words(b, supers, kScales + 8)};
}

// Piece j's d * scale and -(dmin * min) of eight q4_k/q5_k super-blocks.
BlockScales four_five_bit_scales(Builder& b, ir::DType, const std::vector<llvm::Value*>& supers, int j) {
  std::array<llvm::Value*, 2> d = k_d_dmin(b, supers);
  KPieceInts ints = k_piece_ints(b, supers, j);
  return {b.CreateFMul(d[0], b.CreateUIToFP(ints.scale, f32x(b, 8))),
          b.CreateFNeg(b.CreateFMul(d[1], b.CreateUIToFP(ints.min, f32x(b, 8)))), nullptr};
}

// Piece j's two scales (values 0..15 and 16..31) of eight q6_k super-blocks, times d.
BlockScales six_bit_scales(Builder& b, ir::DType, const std::vector<llvm::Value*>& supers, int j) {
  auto* d = q6_k_d(b, supers);
  std::array<llvm::Value*, 2> scales = q6_k_piece_scales(b, supers, j);
  return {b.CreateFMul(d, b.CreateSIToFP(scales[0], f32x(b, 8))), nullptr,
          b.CreateFMul(d, b.CreateSIToFP(scales[1], f32x(b, 8)))};
}

}  // namespace

// Piece j's 6-bit scale and min (ggml's get_scale_min_k4): pieces 0..3 in the low 6 bits of
// bytes j and j + 4, pieces 4..7 in the nibbles of byte j + 4 with the top 2 bits of bytes
// j - 4 and j above them. Each case reads byte j & 3 of the words, so one shift serves both.
KPieceInts k_piece_ints(Builder& b, const std::array<llvm::Value*, 3>& words, llvm::Value* j) {
  auto* at = b.CreateTrunc(b.CreateShl(b.CreateAnd(j, i64c(b, 3)), i64c(b, 3)), b.getInt32Ty());
  auto lanes = static_cast<unsigned>(llvm::cast<llvm::FixedVectorType>(words[0]->getType())->getNumElements());
  auto shifted = [&](llvm::Value* w) { return b.CreateLShr(w, splat(b, lanes, at)); };
  llvm::Value *lo = shifted(words[0]), *mid = shifted(words[1]), *top = shifted(words[2]);
  auto* first_half = b.CreateICmpULT(j, i64c(b, 4));
  auto* scale = b.CreateSelect(first_half, field(b, lo, 0, 63),
                               b.CreateOr(field(b, top, 0, 0x0F), b.CreateShl(field(b, lo, 6, 3), u32s_as(lo, 4))));
  auto* min = b.CreateSelect(first_half, field(b, mid, 0, 63),
                             b.CreateOr(field(b, top, 4, 0x0F), b.CreateShl(field(b, mid, 6, 3), u32s_as(mid, 4))));
  return {scale, min};
}

llvm::Value* q6_k_d(Builder& b, const std::vector<llvm::Value*>& supers) { return gather_f16(b, supers, kQ6D); }

// Signed bytes 2j and 2j + 1 of the scales.
std::array<llvm::Value*, 2> q6_k_piece_scales(Builder& b, const std::vector<llvm::Value*>& supers, int j) {
  auto* words = gather_words(b, supers, kQ6Scales + 4 * (j / 2));
  auto scale = [&](int byte) {
    return b.CreateAShr(b.CreateShl(words, u32s(b, 24 - 8 * static_cast<uint32_t>(byte))), u32s(b, 24));
  };
  int first = 2 * (j % 2);
  return {scale(first), scale(first + 1)};
}

llvm::Value* q6_k_scales_i16(Builder& b, llvm::Value* super) {
  auto* bytes = b.CreateAlignedLoad(i8x(b, 16), byte_ptr(b, super, i64c(b, kQ6Scales)), llvm::Align(1));
  return b.CreateSExt(bytes, i16x(b, 16));
}

std::array<llvm::Value*, 2> k_d_dmin(Builder& b, const std::vector<llvm::Value*>& supers) {
  auto* head = gather_words(b, supers, 0);
  return {half_lanes(b, head, false), half_lanes(b, head, true)};
}

KPieceInts k_piece_ints(Builder& b, const std::vector<llvm::Value*>& supers, int j) {
  return k_piece_ints(b, k_scale_words(b, supers), i64c(b, j));
}

bool integer_scales(ir::DType t) { return ir::dtype_traits(t).block.integer_scales; }

int block_pieces(ir::DType t) { return static_cast<int>(ir::dtype_block_elems(t) / 32); }

const BlockDecoder k_nibble_decoder{four_five_bit_piece, four_five_bit_scales};
const BlockDecoder q6_k_decoder{six_bit_piece, six_bit_scales};
const BlockDecoder q3_k_decoder{three_bit_piece, three_bit_scales};
const BlockDecoder q2_k_decoder{two_bit_piece, two_bit_scales};
const BlockDecoder iq4_xs_decoder{iq4_xs_piece, iq4_scales};

}  // namespace lmc::codegen
