#include "codegen/llvm/blocks/weight_blocks.h"

#include <llvm/IR/IntrinsicsX86.h>

#include "codegen/llvm/blocks/block_decoder.h"
#include "codegen/llvm/blocks/super_blocks.h"

namespace lmc::codegen {

namespace {

constexpr unsigned kBlock = 32;  // values per block, in every block type

std::vector<int> iota(int from, int n) {
  std::vector<int> v;
  for (int i = 0; i < n; ++i) v.push_back(from + i);
  return v;
}

// Where the parts of a 4- or 5-bit block lie (GGUF): d, then m (the _1 types), both f16,
// then 4 bytes of fifth bits (the q5 types), then 16 bytes of nibbles.
struct Layout {
  bool has_min, has_high;
  int64_t high() const { return ir::BlockHead::kFieldBytes * (has_min ? 2 : 1); }
  int64_t nibbles() const { return high() + (has_high ? 4 : 0); }
};

Layout layout(ir::DType t) {
  const ir::BlockTraits& block = ir::dtype_traits(t).block;
  return {block.head_fields == 2, block.fifth_bits};
}

llvm::Value* splat_i8(Builder& b, unsigned n, uint8_t v) {
  return llvm::ConstantVector::getSplat(llvm::ElementCount::getFixed(n), b.getInt8(v));
}

// The 32 unsigned quants: element j's low four bits in byte j's low nibble (j < 16) or
// byte j-16's high one; its fifth bit, for q5 types, bit j of the 32-bit word before them.
llvm::Value* unsigned_quants(Builder& b, ir::DType t, llvm::Value* block) {
  Layout l = layout(t);
  auto* q = nibble_quants(b, byte_ptr(b, block, i64c(b, l.nibbles())));
  if (!l.has_high) return q;
  auto* bits = b.CreateAlignedLoad(b.getInt32Ty(), byte_ptr(b, block, i64c(b, l.high())), llvm::Align(1));
  auto* mask = b.CreateBitCast(bits, llvm::FixedVectorType::get(b.getInt1Ty(), kBlock));
  return b.CreateOr(q, b.CreateShl(b.CreateZExt(mask, i8x(b, kBlock)), splat_i8(b, kBlock, 4)));
}

// The offset of the types without a stored m, in units of d: minus half the quants' range.
float zero_offset(const Layout& l) { return l.has_high ? -16.0f : -8.0f; }

// The 32 signed quants of a q8_0 block, after its scale.
llvm::Value* signed_bytes(Builder& b, ir::DType t, llvm::Value* block) {
  return b.CreateAlignedLoad(i8x(b, kBlock), byte_ptr(b, block, i64c(b, ir::dtype_block_head(t).bytes())),
                             llvm::Align(1));
}

// The decoders of the blocks of 32 (block_decoder.h).
WeightBlock signed_block(Builder& b, ir::DType t, llvm::Value* block, int) {
  auto* w = signed_bytes(b, t, block);
  return {b.CreateBinaryIntrinsic(llvm::Intrinsic::abs, w, b.getFalse()), w};
}

WeightBlock nibble_block(Builder& b, ir::DType t, llvm::Value* block, int) {
  return {unsigned_quants(b, t, block), nullptr};
}

WeightBlock iq4_nl_block(Builder& b, ir::DType, llvm::Value* block, int) {
  return lookup_block(b, ir::iq4_values(), byte_ptr(b, block, i64c(b, 2)));
}

// The f16 at byte `at` of each of eight blocks, as f32 lanes.
llvm::Value* f16_lanes(Builder& b, const std::vector<llvm::Value*>& blocks, int64_t at) {
  llvm::Value* v = llvm::PoisonValue::get(llvm::FixedVectorType::get(b.getHalfTy(), 8));
  for (unsigned i = 0; i < 8; ++i)
    v = b.CreateInsertElement(
        v, b.CreateAlignedLoad(b.getHalfTy(), byte_ptr(b, blocks[i], i64c(b, at)), llvm::Align(1)), i);
  return b.CreateFPExt(v, f32x(b, 8));
}

BlockScales d_scales(Builder& b, ir::DType, const std::vector<llvm::Value*>& blocks, int) {
  return {f16_lanes(b, blocks, 0), nullptr, nullptr};
}

BlockScales nibble_scales(Builder& b, ir::DType t, const std::vector<llvm::Value*>& blocks, int) {
  Layout l = layout(t);
  if (!l.has_min) {
    llvm::Value* d = f16_lanes(b, blocks, 0);
    return {d, b.CreateFMul(d, splat_f32(b, 8, zero_offset(l))), nullptr};
  }
  // d and m side by side: one 32-bit load per block, then the lanes parted.
  llvm::Value* pairs = llvm::PoisonValue::get(i32x(b, 8));
  for (unsigned i = 0; i < 8; ++i)
    pairs = b.CreateInsertElement(pairs, b.CreateAlignedLoad(b.getInt32Ty(), blocks[i], llvm::Align(1)), i);
  auto* f = b.CreateFPExt(b.CreateBitCast(pairs, llvm::FixedVectorType::get(b.getHalfTy(), 16)), f32x(b, 16));
  return {b.CreateShuffleVector(f, {0, 2, 4, 6, 8, 10, 12, 14}), b.CreateShuffleVector(f, {1, 3, 5, 7, 9, 11, 13, 15}),
          nullptr};
}

}  // namespace

const BlockDecoder q8_0_decoder{signed_block, d_scales};
const BlockDecoder nibble_decoder{nibble_block, nibble_scales};
const BlockDecoder iq4_nl_decoder{iq4_nl_block, d_scales};

llvm::Value* nibble_quants(Builder& b, llvm::Value* at) {
  auto* v = b.CreateAlignedLoad(i8x(b, 16), at, llvm::Align(1));
  // The 16 bytes in both halves (a broadcast load), the upper half shifted by a nibble
  // (one variable shift), then masked: two vector ops where separate halves take four.
  std::vector<int> twice = iota(0, 16);
  twice.insert(twice.end(), twice.begin(), twice.end());
  auto* both = b.CreateBitCast(b.CreateShuffleVector(v, twice), i32x(b, 8));
  std::vector<uint32_t> shifts{0, 0, 0, 0, 4, 4, 4, 4};
  auto* shifted = b.CreateLShr(both, llvm::ConstantDataVector::get(b.getContext(), shifts));
  return b.CreateBitCast(b.CreateAnd(shifted, llvm::ConstantInt::get(i32x(b, 8), 0x0F0F0F0F)), i8x(b, kBlock));
}

WeightBlock lookup_block(Builder& b, const std::array<int8_t, 16>& values, llvm::Value* at) {
  // One byte shuffle looks the 32 indices up in the 16 values, held in both 128-bit lanes.
  std::vector<int8_t> table(values.begin(), values.end());
  table.insert(table.end(), table.begin(), table.end());
  auto* lanes = llvm::ConstantDataVector::get(
      b.getContext(), llvm::ArrayRef<uint8_t>(reinterpret_cast<const uint8_t*>(table.data()), table.size()));
  auto* w = b.CreateIntrinsic(llvm::Intrinsic::x86_avx2_pshuf_b, {}, {lanes, nibble_quants(b, at)});
  return {b.CreateBinaryIntrinsic(llvm::Intrinsic::abs, w, b.getFalse()), w};
}

int zero_point(ir::DType t) { return ir::dtype_traits(t).block.zero_point; }

bool float_offsets(ir::DType t) { return !signed_quants(t) && zero_point(t) == 0; }

bool signed_quants(ir::DType t) { return ir::dtype_traits(t).block.signed_quants; }

int i16_quads(ir::DType t) { return 32767 / (254 * ir::dtype_traits(t).block.quant_max); }

int scale_parts(ir::DType t) { return ir::dtype_traits(t).block.scale_parts; }

bool part_offsets(ir::DType t) { return ir::dtype_traits(t).block.part_offsets; }

WeightBlock load_weight_block(Builder& b, ir::DType t, llvm::Value* block, int piece) {
  return block_decoder(t).quants(b, t, block, piece);
}

BlockScales load_block_scales(Builder& b, ir::DType t, const std::vector<llvm::Value*>& blocks, int piece) {
  return block_decoder(t).scales(b, t, blocks, piece);
}

bool use_vnni(const llvm::Function& fn) {
  return has_target_feature(fn, "avxvnni") ||
         (has_target_feature(fn, "avx512vnni") && has_target_feature(fn, "avx512vl"));
}

bool wide_registers(const llvm::Function& fn) {
  return has_target_feature(fn, "avx512bw") && has_target_feature(fn, "evex512");
}

bool use_vnni512(const llvm::Function& fn) { return wide_registers(fn) && has_target_feature(fn, "avx512vnni"); }

llvm::Value* byte_dot_i32(Builder& b, llvm::Value* acc, llvm::Value* u, llvm::Value* s, bool vnni) {
  auto* i32x8 = i32x(b, 8);
  if (vnni)
    return b.CreateIntrinsic(
        llvm::Intrinsic::x86_avx512_vpdpbusd_256, {},
        {acc ? acc : llvm::Constant::getNullValue(i32x8), b.CreateBitCast(u, i32x8), b.CreateBitCast(s, i32x8)});
  auto* sums = widen_pairs_i32(b, byte_madd_i16(b, u, s));
  return acc ? b.CreateAdd(acc, sums) : sums;
}

llvm::Value* byte_madd_i16(Builder& b, llvm::Value* u, llvm::Value* s) {
  return b.CreateIntrinsic(llvm::Intrinsic::x86_avx2_pmadd_ub_sw, {}, {u, s});
}

llvm::Value* widen_pairs_i32(Builder& b, llvm::Value* v) {
  return weighted_pairs_i32(b, v, llvm::ConstantVector::getSplat(llvm::ElementCount::getFixed(16), b.getInt16(1)));
}

llvm::Value* weighted_pairs_i32(Builder& b, llvm::Value* v, llvm::Value* weights) {
  return b.CreateIntrinsic(llvm::Intrinsic::x86_avx2_pmadd_wd, {}, {v, weights});
}

llvm::Value* add_weighted_pairs_i32(Builder& b, llvm::Value* acc, llvm::Value* v, llvm::Value* weights, bool vnni) {
  const bool wide = llvm::cast<llvm::FixedVectorType>(v->getType())->getNumElements() == 32;
  if (!vnni) {
    auto* sums = wide ? b.CreateIntrinsic(llvm::Intrinsic::x86_avx512_pmaddw_d_512, {}, {v, weights})
                      : weighted_pairs_i32(b, v, weights);
    return acc ? b.CreateAdd(acc, sums) : sums;
  }
  auto* i32s = i32x(b, wide ? 16 : 8);
  return b.CreateIntrinsic(
      wide ? llvm::Intrinsic::x86_avx512_vpdpwssd_512 : llvm::Intrinsic::x86_avx512_vpdpwssd_256, {},
      {acc ? acc : llvm::Constant::getNullValue(i32s), b.CreateBitCast(v, i32s), b.CreateBitCast(weights, i32s)});
}

llvm::Value* q8_0_values(Builder& b, llvm::Value* block) {
  llvm::Value* d = load_f16_as_f32(b, block);
  return b.CreateFMul(b.CreateSIToFP(signed_bytes(b, ir::DType::q8_0, block), f32x(b, kBlock)), splat(b, kBlock, d));
}

PanelLayout::PanelLayout(ir::DType panels) : base_(ir::panel_base(panels)) {
  min_ = layout(base_).has_min;
  head_ = ir::dtype_block_head(base_).bytes();
  high_ = layout(base_).has_high;
  super_ = block_pieces(base_) > 1;
  six_bit_ = super_ && zero_point(base_) != 0;
  high_words_ = six_bit_ ? 2 : high_ ? 1 : 0;
  block_bytes_ = kRows * ir::dtype_block_bytes(base_) / block_pieces(base_);
  chunks_ = super_ ? 4 : (ir::dtype_block_bytes(base_) - head_) / 4 - high_words_;
  piece_bytes_ = kRows * 4 * (chunks_ + high_words_);
}

llvm::Value* PanelLayout::panel(Builder& b, llvm::Value* w, llvm::Value* p, int64_t K) const {
  return byte_ptr(b, w, b.CreateMul(p, i64c(b, K / kBlock * block_bytes_)));
}

llvm::Value* PanelLayout::block(Builder& b, llvm::Value* panel, llvm::Value* blk) const {
  if (!super_) return byte_ptr(b, panel, b.CreateMul(blk, i64c(b, block_bytes_)));
  const int64_t pieces = block_pieces(base_), super = pieces * block_bytes_;
  auto* at = b.CreateAdd(b.CreateMul(b.CreateLShr(blk, i64c(b, 3)), i64c(b, super)),
                         b.CreateMul(b.CreateAnd(blk, i64c(b, pieces - 1)), i64c(b, piece_bytes_)));
  return byte_ptr(b, panel, b.CreateAdd(at, i64c(b, super - pieces * piece_bytes_)));
}

llvm::Value* PanelLayout::scale(Builder& b, llvm::Value* block, llvm::Value* row) const {
  return byte_ptr(b, block, b.CreateMul(row, i64c(b, ir::BlockHead::kFieldBytes)));
}

llvm::Value* PanelLayout::second(Builder& b, llvm::Value* block, llvm::Value* row) const {
  return byte_ptr(b, scale(b, block, row), i64c(b, ir::BlockHead::kFieldBytes * kRows));
}

// A K type's header: per super-block, the 16 rows' f16 d, f16 dmin, then the three words of
// their 6-bit scales and mins, 16 rows' each.
llvm::Value* PanelLayout::header(Builder& b, llvm::Value* panel, llvm::Value* super) const {
  return byte_ptr(b, panel, b.CreateMul(super, i64c(b, 8 * block_bytes_)));
}

llvm::Value* PanelLayout::header_field(Builder& b, llvm::Value* panel, llvm::Value* super, int64_t field, int64_t width,
                                       int64_t row0) const {
  return byte_ptr(b, header(b, panel, super), i64c(b, field + width * row0));
}

std::array<llvm::Value*, 3> PanelLayout::scale_words(Builder& b, llvm::Value* panel, llvm::Value* super, int64_t row0,
                                                     unsigned lanes) const {
  std::array<llvm::Value*, 3> words;
  for (int64_t w = 0; w < 3; ++w)
    words[w] = b.CreateAlignedLoad(i32x(b, lanes), header_field(b, panel, super, 4 * kRows + 4 * kRows * w, 4, row0),
                                   llvm::Align(1));
  return words;
}

std::array<llvm::Value*, 2> PanelLayout::super_d(Builder& b, llvm::Value* panel, llvm::Value* super, int64_t row0,
                                                 unsigned lanes) const {
  return {load_f16x_as_f32x(b, header_field(b, panel, super, 0, 2, row0), lanes),
          load_f16x_as_f32x(b, header_field(b, panel, super, 2 * kRows, 2, row0), lanes)};
}

KPieceInts PanelLayout::piece_ints(Builder& b, llvm::Value* panel, llvm::Value* super, llvm::Value* piece,
                                   int64_t row0) const {
  return k_piece_ints(b, scale_words(b, panel, super, row0, 8), piece);
}

KPieceInts PanelLayout::wide_piece_ints(Builder& b, llvm::Value* panel, llvm::Value* super, llvm::Value* piece) const {
  return k_piece_ints(b, scale_words(b, panel, super, 0, kRows), piece);
}

BlockScales PanelLayout::scales(Builder& b, llvm::Value* panel, llvm::Value* blk, int64_t row0) const {
  llvm::Value* block = this->block(b, panel, blk);
  llvm::Value* d = load_f16x_as_f32x(b, scale(b, block, i64c(b, row0)), 8);
  if (base_ == ir::DType::q8_0) return {d, nullptr, nullptr};
  if (min_) return {d, load_f16x_as_f32x(b, second(b, block, i64c(b, row0)), 8), nullptr};
  return {d, b.CreateFMul(d, splat_f32(b, 8, zero_offset(layout(base_)))), nullptr};
}

llvm::Value* PanelLayout::high_bits(Builder& b, llvm::Value* block, llvm::Value* row, int64_t word) const {
  return byte_ptr(b, block, b.CreateAdd(b.CreateMul(row, i64c(b, 4)), i64c(b, (head_ + 4 * word) * kRows)));
}

// q6_kx16's header: the 16 rows' f16 d, then per sub-block the 16 rows' signed scales.
llvm::Value* PanelLayout::six_bit_d(Builder& b, llvm::Value* panel, llvm::Value* super, int64_t row0,
                                    unsigned lanes) const {
  return load_f16x_as_f32x(b, header_field(b, panel, super, 0, 2, row0), lanes);
}

llvm::Value* PanelLayout::six_bit_scales(Builder& b, llvm::Value* panel, llvm::Value* super, llvm::Value* sub,
                                         int64_t row0, unsigned lanes) const {
  auto* at = byte_ptr(b, header_field(b, panel, super, 2 * kRows, 1, row0), b.CreateMul(sub, i64c(b, kRows)));
  return b.CreateSExt(b.CreateAlignedLoad(i8x(b, lanes), at, llvm::Align(1)), i32x(b, lanes));
}

llvm::Value* PanelLayout::chunk(Builder& b, llvm::Value* block, llvm::Value* c, llvm::Value* row) const {
  auto* at = b.CreateAdd(b.CreateMul(c, i64c(b, 4 * kRows)), b.CreateMul(row, i64c(b, 4)));
  return byte_ptr(b, block, b.CreateAdd(at, i64c(b, (head_ + 4 * high_words_) * kRows)));
}

}  // namespace lmc::codegen
