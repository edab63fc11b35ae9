// The block formats weights (and q8_0 KV caches) come in (q8_0, q4_0, q4_1, q5_0, q5_1,
// the K types and iq4: GGUF's layouts; see ir/dtype.cpp),
// decoded as bytes for the linears' integer dot products, and q8_0 as f32 values for
// embedding rows and cache rows.
#pragma once
#include <array>

#include "codegen/llvm/builder/llvm_helpers.h"
#include "ir/dtype.h"

namespace lmc::codegen {

// One weight block as the byte madds take it: `u` are 32 unsigned bytes and `sign`,
// when set, the signs to move onto the input (q8_0: u = |w|, sign = w). Its scales
// come from load_block_scales, eight blocks at a time.
struct WeightBlock {
  llvm::Value* u;
  llvm::Value* sign;
};
// The integer a type's unsigned quants stand above their values (q6_k: 32, q3_k: 4; else 0):
// a value is u - zero. The integer kernels take Σu·x from the madds and subtract zero·Σx,
// exactly in i32, where moving signs onto the input cost two more instructions a block.
int zero_point(ir::DType t);
// Whether a block's offset m is a float that meets the input block's sum (the q4/q5 types,
// q4_k, q5_k, q2_k): unsigned quants without a zero point.
bool float_offsets(ir::DType t);

// The 32 nibbles of the 16 bytes at `at` as bytes: value j < 16 byte j's low nibble, value
// j + 16 its high one (the q4/q5 types', iq4_nl's and an iq4_xs piece's order).
llvm::Value* nibble_quants(Builder& b, llvm::Value* at);
// The block of 32 whose nibbles are the 16 bytes at `at` (nibble_quants' order), each the
// index of one of 16 signed values (the iq4 types' ir::iq4_values), as signed quants.
WeightBlock lookup_block(Builder& b, const std::array<int8_t, 16>& values, llvm::Value* at);

// Whether a block type's (or its panels') quants are signed bytes (q8_0, the iq4 types),
// which the
// byte madds take as |w| with w's sign moved onto the input; else they are unsigned 4- or
// 5-bit quants whose offset m meets the input block's sum.
bool signed_quants(ir::DType t);
// The quad madds (pmaddubsw of 4 k) whose i16 lanes can be summed before one widening
// to i32: a lane holds two products of a quant u <= the type's largest and an input byte
// |x| <= 127, so n quads fit 2^15 while n * 254 * max(u) < 32768 — 1 for the signed types
// (|w| <= 127), 2 for q6_k, 4 for the 5-bit, 8 for the 4-bit ones and more for q3_k, q2_k.
int i16_quads(ir::DType t);
// The parts of a block of 32 values scaled apart: 2 for q6_k, q3_k and q2_k (values 0..15 and
// 16..31, i.e. its first and last 4 chunks of 4), else 1.
int scale_parts(ir::DType t);

// Block `block`'s quants; of a K type's super-block, those of its 32-value piece `piece`
// (codegen/llvm/blocks/super_blocks.h).
WeightBlock load_weight_block(Builder& b, ir::DType t, llvm::Value* block, int piece = 0);

// The scales of eight blocks, one block per lane (eight output columns' blocks), as f32:
// a block's value is d * u (signed by `sign`) + m per element. `m` is null for the signed
// types, m for q4_1 and q5_1, -8d for q4_0 and -16d for q5_0, and meets the input block
// through its sum. A q6_k or q3_k piece's d is its first half's, `d_hi` its second half's
// (else null); q2_k's m, likewise, is its first half's offset and `m_hi` its second half's,
// each meeting its half's sum.
struct BlockScales {
  llvm::Value* d;
  llvm::Value* m;
  llvm::Value* d_hi;
  llvm::Value* m_hi = nullptr;
  llvm::Value* part(int i) const { return i ? d_hi : d; }      // the scale of part i (scale_parts)
  llvm::Value* offset(int i) const { return i ? m_hi : m; }  // the offset of part i, or null
};
// A q4_k/q5_k piece's 6-bit scale and min, one column per i32 lane (super_blocks.h).
struct KPieceInts {
  llvm::Value* scale;
  llvm::Value* min;
};
// Whether each part of a block of t has its own offset (q2_k), met by its own input sum.
bool part_offsets(ir::DType t);
BlockScales load_block_scales(Builder& b, ir::DType t, const std::vector<llvm::Value*>& blocks, int piece = 0);

// VNNI (an opt-in host feature) fuses the byte madds' two steps into one vpdpbusd.
bool use_vnni(const llvm::Function& fn);
// Byte and word madds on 512-bit registers (AVX-512 BW with 512-bit EVEX forms). Such
// kernel functions allow 512-bit vectors (llvm_kernel_emitter.cpp), which LLVM otherwise
// splits on CPUs that prefer 256.
bool wide_registers(const llvm::Function& fn);
// VNNI on 512-bit registers as well: a panel's 16 columns in one register.
bool use_vnni512(const llvm::Function& fn);

// acc (8 x i32, or null for zeros) + the sums of each lane's four byte products u·s, u
// unsigned and s signed (<32 x i8> each): pmaddubsw then pmaddwd, or vpdpbusd. The
// pairwise i16 sums of pmaddubsw cannot saturate while |u|, |s| <= 127 (q8_0's |w| and
// the input's quants) or u <= 31 (the 4- and 5-bit quants).
llvm::Value* byte_dot_i32(Builder& b, llvm::Value* acc, llvm::Value* u, llvm::Value* s, bool vnni);
// byte_dot_i32's two AVX2 steps apart, for sums that stay in i16 over several madds:
// the pairwise products u·s as <16 x i16> (pmaddubsw), and such i16 lanes summed in
// pairs into <8 x i32> (pmaddwd).
llvm::Value* byte_madd_i16(Builder& b, llvm::Value* u, llvm::Value* s);
llvm::Value* widen_pairs_i32(Builder& b, llvm::Value* v);
// As widen_pairs_i32 with each i16 lane weighted by the i16 lane of `weights` (pmaddwd).
llvm::Value* weighted_pairs_i32(Builder& b, llvm::Value* v, llvm::Value* weights);
// acc (or null for zeros) + weighted_pairs_i32(v, weights), 256- or 512-bit: with `vnni`
// one vpdpwssd, whose lanes wrap as pmaddwd's and the add's do, so the same bits.
llvm::Value* add_weighted_pairs_i32(Builder& b, llvm::Value* acc, llvm::Value* v, llvm::Value* weights, bool vnni);

// The 32 values of the q8_0 block at `block`, as <32 x float>.
llvm::Value* q8_0_values(Builder& b, llvm::Value* block);

// Where an x16 type's parts lie (ir/dtype.h): the int8 linear kernel multiplies the
// panels, the embedding reads a tied table's rows out of q8_0x16's.
class PanelLayout {
 public:
  static constexpr int64_t kRows = 16;  // weight rows per panel

  explicit PanelLayout(ir::DType panels);

  // Chunks of 4 quant bytes per row and block: 8 for q8_0x16, 4 for the q4/q5 types and
  // q6_kx16 (a chunk's high nibbles are 16 k further on).
  int64_t chunks() const { return chunks_; }
  bool has_high() const { return high_; }  // the q5 types' fifth bits
  // q6_kx16: each piece's 2-bit high parts in two words a row before its nibbles, and a
  // header of d and 16 signed scales per row, each scaling one half of a piece.
  bool six_bit() const { return six_bit_; }

  // &panel p of a weight with K columns.
  llvm::Value* panel(Builder& b, llvm::Value* w, llvm::Value* p, int64_t K) const;
  // &block blk (of 32 k) of a panel; of a K type's panel, piece blk % 8's quants (and q5
  // fifth bits) of super-block blk / 8.
  llvm::Value* block(Builder& b, llvm::Value* panel, llvm::Value* blk) const;
  // &the scale d, or the second field (the _1 types' m), of row `row`
  // (0..15) of a panel's block; 8 consecutive rows' are one load.
  llvm::Value* scale(Builder& b, llvm::Value* block, llvm::Value* row) const;
  llvm::Value* second(Builder& b, llvm::Value* block, llvm::Value* row) const;
  // &the 4 bytes of chunk c of row `row` of a panel's block; 8 consecutive rows' are one
  // 32-byte load.
  llvm::Value* chunk(Builder& b, llvm::Value* block, llvm::Value* c, llvm::Value* row) const;
  // &the 32 fifth bits (q5 types) of row `row` of a panel's block, bit i for k = i; of a
  // q6_kx16 piece, its word `word` of high parts (ir/dtype.h). 8 consecutive rows' are one
  // 32-byte load.
  llvm::Value* high_bits(Builder& b, llvm::Value* block, llvm::Value* row, int64_t word = 0) const;
  // The scales (as load_block_scales': m null for q8_0x16, -8d for q4_0x16) of rows
  // row0 .. row0 + 7 of block blk of a panel, as f32 lanes.
  BlockScales scales(Builder& b, llvm::Value* panel, llvm::Value* blk, int64_t row0) const;
  // A K type's scales as integers (super_blocks.h, integer_scales): d and dmin of super-block
  // `super` of `lanes` rows from row0, and piece `piece`'s scale and min of rows row0 .. row0 + 7.
  std::array<llvm::Value*, 2> super_d(Builder& b, llvm::Value* panel, llvm::Value* super, int64_t row0,
                                      unsigned lanes) const;
  KPieceInts piece_ints(Builder& b, llvm::Value* panel, llvm::Value* super, llvm::Value* piece, int64_t row0) const;
  // piece_ints of all 16 rows, as 16 i32 lanes (one register with AVX-512).
  KPieceInts wide_piece_ints(Builder& b, llvm::Value* panel, llvm::Value* super, llvm::Value* piece) const;
  bool super_blocks() const { return super_; }
  // A K type's super-block: a header of its rows' scales, header_bytes() from `header`,
  // then its eight pieces of piece_bytes() each.
  llvm::Value* header(Builder& b, llvm::Value* panel, llvm::Value* super) const;
  int64_t header_bytes() const { return 8 * (block_bytes_ - piece_bytes_); }
  int64_t piece_bytes() const { return piece_bytes_; }
  // q6_kx16's header: the super-block's d of `lanes` rows from row0 as f32, and the signed
  // scales of sub-block `sub` (values 16 sub .. 16 sub + 15) of those rows as i32 lanes.
  llvm::Value* six_bit_d(Builder& b, llvm::Value* panel, llvm::Value* super, int64_t row0, unsigned lanes) const;
  llvm::Value* six_bit_scales(Builder& b, llvm::Value* panel, llvm::Value* super, llvm::Value* sub, int64_t row0,
                              unsigned lanes) const;

 private:
  ir::DType base_;  // the row-major type whose blocks the panels hold
  bool min_;        // the second field is m (the _1 types)
  int64_t head_;    // bytes of scale fields per row and block: d, or d and m
  bool high_;       // the fifth bits' chunk before the quants' (q5 types)
  int64_t chunks_;
  int64_t block_bytes_;  // a block of 32 k of the 16 rows (a K type's: an eighth of a super-block)
  bool super_;           // q4_kx16, q5_kx16, q6_kx16: pieces under one header per super-block
  bool six_bit_;         // q6_kx16
  int64_t high_words_;   // words of high bits per row before a block's (piece's) chunks
  int64_t piece_bytes_;  // a K type's piece of 32 k of the 16 rows, after the header

  llvm::Value* header_field(Builder& b, llvm::Value* panel, llvm::Value* super, int64_t field, int64_t width,
                            int64_t row0) const;
  // The 12 bytes of scales and mins of `lanes` rows from row0, as three i32 lanes each.
  std::array<llvm::Value*, 3> scale_words(Builder& b, llvm::Value* panel, llvm::Value* super, int64_t row0,
                                          unsigned lanes) const;
};

}  // namespace lmc::codegen
