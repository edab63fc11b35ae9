#include "codegen/llvm/linear/panel_chunks.h"

#include <vector>

namespace lmc::codegen {

namespace {

// A q5 chunk's fifth bits as bytes (0 or 16) beside its nibbles: from each row's 32 bits
// `high`, bits 4c .. 4c + 3 for the low nibbles and 4c + 16 .. for the high ones. A byte
// shuffle copies the byte holding them into the row's 4 bytes; each byte keeps its bit.
std::array<llvm::Value*, 2> fifth_bits(Builder& b, llvm::Value* high, llvm::Value* c) {
  auto* shifted = b.CreateBitCast(
      b.CreateLShr(high, splat(b, 8, b.CreateTrunc(b.CreateMul(c, i64c(b, 4)), b.getInt32Ty()))), i8x(b, 32));
  std::vector<uint8_t> bit;
  for (int i = 0; i < 32; ++i) bit.push_back(static_cast<uint8_t>(1u << (i % 4)));
  auto* bits = llvm::ConstantDataVector::get(b.getContext(), bit);
  auto* sixteen = llvm::ConstantVector::getSplat(llvm::ElementCount::getFixed(32), b.getInt8(16));
  auto* zero = llvm::Constant::getNullValue(i8x(b, 32));
  std::array<llvm::Value*, 2> out;
  for (int half = 0; half < 2; ++half) {
    std::vector<int> from;
    for (int i = 0; i < 32; ++i) from.push_back(i / 4 * 4 + 2 * half);
    auto* bytes = b.CreateShuffleVector(shifted, from);
    out[half] = b.CreateSelect(b.CreateICmpNE(b.CreateAnd(bytes, bits), zero), sixteen, zero);
  }
  return out;
}

// A q6_kx16 chunk's high parts at bits 4..5 beside its nibbles, for `lanes` rows from
// row0: each row's word h holds, at bits 2c, 2c + 1 of byte b, those of value 4c + b + 16h.
// A constant chunk's move there is one shift by 4 - 2c (none for chunk 2).
std::array<llvm::Value*, 2> six_bit_highs(Builder& b, const WeightPanel& p, llvm::Value* blk, llvm::Value* c,
                                          int64_t row0, unsigned lanes) {
  auto* block = p.at.block(b, p.base, blk);
  auto* bits45 = splat(b, lanes, b.getInt32(0x30303030));
  auto shifts = [&](llvm::Value* words) -> llvm::Value* {
    if (auto* known = llvm::dyn_cast<llvm::ConstantInt>(c)) {
      const int64_t up = 4 - 2 * known->getSExtValue();
      if (up == 0) return words;
      return up > 0 ? b.CreateShl(words, splat(b, lanes, b.getInt32(static_cast<uint32_t>(up))))
                    : b.CreateLShr(words, splat(b, lanes, b.getInt32(static_cast<uint32_t>(-up))));
    }
    auto* down = splat(b, lanes, b.CreateTrunc(b.CreateMul(c, i64c(b, 2)), b.getInt32Ty()));
    return b.CreateShl(b.CreateLShr(words, down), splat(b, lanes, b.getInt32(4)));
  };
  std::array<llvm::Value*, 2> out;
  for (int64_t h = 0; h < 2; ++h) {
    auto* words = b.CreateAlignedLoad(i32x(b, lanes), p.at.high_bits(b, block, i64c(b, row0), h), llvm::Align(1));
    out[h] = b.CreateBitCast(b.CreateAnd(shifts(words), bits45), i8x(b, 4 * lanes));
  }
  return out;
}

}  // namespace

void WeightPanel::prefetch_piece(Builder& b, llvm::Value* blk) const {
  constexpr int64_t kLine = 64, kPieces = 8;
  auto* piece = at.block(b, base, blk);
  for (int64_t line = 0; line < at.piece_bytes(); line += kLine)
    prefetch_ahead(b, byte_ptr(b, piece, i64c(b, line)), kPrefetchBytes);
  // A header of up to eight lines (q6_kx16's is 288 bytes, five).
  auto* header = at.header(b, base, b.CreateLShr(blk, i64c(b, 3)));
  auto* j = min64(b, b.CreateAnd(blk, i64c(b, kPieces - 1)), i64c(b, (at.header_bytes() - 1) / kLine));
  prefetch_ahead(b, byte_ptr(b, header, b.CreateMul(j, i64c(b, kLine))), kPrefetchBytes);
}

std::array<llvm::Value*, 2> chunk_quants(Builder& b, const WeightPanel& p, llvm::Value* blk, llvm::Value* c, int g) {
  auto* low4 = llvm::ConstantVector::getSplat(llvm::ElementCount::getFixed(32), b.getInt8(0x0F));
  auto* v = p.load_chunk(b, blk, c, g);
  auto* shifted = b.CreateLShr(b.CreateBitCast(v, i16x(b, 16)), 4);
  std::array<llvm::Value*, 2> q{b.CreateAnd(v, low4), b.CreateAnd(b.CreateBitCast(shifted, i8x(b, 32)), low4)};
  if (p.at.six_bit()) {
    std::array<llvm::Value*, 2> high = six_bit_highs(b, p, blk, c, 8 * g, 8);
    return {b.CreateOr(q[0], high[0]), b.CreateOr(q[1], high[1])};
  }
  if (!p.at.has_high()) return q;
  auto* high =
      b.CreateAlignedLoad(i32x(b, 8), p.at.high_bits(b, p.at.block(b, p.base, blk), i64c(b, 8 * g)), llvm::Align(1));
  std::array<llvm::Value*, 2> fifth = fifth_bits(b, high, c);
  return {b.CreateOr(q[0], fifth[0]), b.CreateOr(q[1], fifth[1])};
}

std::array<llvm::Value*, 2> wide_chunk_quants(Builder& b, const WeightPanel& p, llvm::Value* blk, llvm::Value* c) {
  if (p.at.has_high()) {
    std::array<llvm::Value*, 2> g0 = chunk_quants(b, p, blk, c, 0), g1 = chunk_quants(b, p, blk, c, 1);
    return {concat(b, g0[0], g1[0]), concat(b, g0[1], g1[1])};
  }
  llvm::Value* ptr = p.chunk(b, blk, c, 0);
  if (!p.at.super_blocks()) prefetch_ahead(b, ptr, kPrefetchBytes);
  auto* v = b.CreateAlignedLoad(i8x(b, 64), ptr, llvm::Align(1));
  auto* low4 = llvm::ConstantVector::getSplat(llvm::ElementCount::getFixed(64), b.getInt8(0x0F));
  auto* shifted = b.CreateBitCast(b.CreateLShr(b.CreateBitCast(v, i16x(b, 32)), 4), i8x(b, 64));
  std::array<llvm::Value*, 2> q{b.CreateAnd(v, low4), b.CreateAnd(shifted, low4)};
  if (!p.at.six_bit()) return q;
  std::array<llvm::Value*, 2> high = six_bit_highs(b, p, blk, c, 0, 16);
  return {b.CreateOr(q[0], high[0]), b.CreateOr(q[1], high[1])};
}

}  // namespace lmc::codegen
