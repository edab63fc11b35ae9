#include "codegen/llvm/linear/bf16_weights.h"

#include <array>
#include <vector>

#include <llvm/IR/Constants.h>
#include <llvm/IR/IntrinsicsX86.h>
#include <llvm/Support/MathExtras.h>

#include "codegen/llvm/blocks/block_values.h"
#include "codegen/llvm/blocks/super_blocks.h"
#include "codegen/llvm/linear/panel_chunks.h"

namespace lmc::codegen {

namespace {

constexpr int64_t kStep = 32;      // k per tile step
constexpr int64_t kCols = 16;      // columns of a B tile
constexpr int64_t kRowBytes = 64;  // a B row: 16 columns x 2 bf16
constexpr int kQuad = 4;           // k per chunk of an x16 panel

// &row `row` of the B tile of column half h in step `step`.
llvm::Value* b_row(Builder& b, llvm::Value* dst, llvm::Value* step, int64_t h, llvm::Value* row) {
  auto* tile = b.CreateAdd(b.CreateMul(step, i64c(b, 2)), i64c(b, h));
  return byte_ptr(b, dst,
                  b.CreateAdd(b.CreateMul(tile, i64c(b, kBf16TileBytes)), b.CreateMul(row, i64c(b, kRowBytes))));
}

// 16 column lanes, each beside its chunk's 4 values ([column][4 k] as 64 lanes).
llvm::Value* per_quad(Builder& b, llvm::Value* columns) {
  std::vector<int> lanes;
  for (int i = 0; i < kCols * kQuad; ++i) lanes.push_back(i / kQuad);
  return b.CreateShuffleVector(columns, lanes);
}

// A chunk's values ([column][4 k] as <64 x float>) as B rows `row` (its k, k + 1) and
// `row + 1` (k + 2, k + 3).
void store_chunk(Builder& b, llvm::Value* values, llvm::Value* dst, llvm::Value* step, int64_t h, int64_t row) {
  llvm::Value* bf = round_to_bf16(b, values);
  for (int pair = 0; pair < 2; ++pair) {
    std::vector<int> lanes;
    for (int c = 0; c < kCols; ++c)
      for (int j = 0; j < 2; ++j) lanes.push_back(c * kQuad + 2 * pair + j);
    b.CreateAlignedStore(b.CreateShuffleVector(bf, lanes), b_row(b, dst, step, h, i64c(b, row + pair)),
                         llvm::Align(kRowBytes));
  }
}

// A panel block's scale and offset per column (<16 x float>; m null for q8_0): the _0 and
// _1 types' d and m, a K type's piece's d * scale and -(dmin * min), as ggml dequantizes; a
// q6_kx16 piece's d * scale of its first half, and d_hi of its second.
struct ColumnScales {
  llvm::Value* d;
  llvm::Value* m;
  llvm::Value* d_hi = nullptr;
};

ColumnScales panel_scales(Builder& b, const WeightPanel& p, llvm::Value* blk) {
  constexpr int64_t kPieces = 8;
  if (p.at.six_bit()) {
    auto* super = b.CreateUDiv(blk, i64c(b, kPieces));
    auto* d = p.at.six_bit_d(b, p.base, super, 0, kCols);
    auto half = [&](int64_t h) {
      auto* sub = b.CreateAdd(b.CreateMul(b.CreateURem(blk, i64c(b, kPieces)), i64c(b, 2)), i64c(b, h));
      return b.CreateFMul(d, b.CreateSIToFP(p.at.six_bit_scales(b, p.base, super, sub, 0, kCols), f32x(b, kCols)));
    };
    return {half(0), nullptr, half(1)};
  }
  if (p.at.super_blocks()) {
    auto* super = b.CreateUDiv(blk, i64c(b, kPieces));
    KPieceInts ints = p.at.wide_piece_ints(b, p.base, super, b.CreateURem(blk, i64c(b, kPieces)));
    std::array<llvm::Value*, 2> d_dmin = p.super_d(b, super, 0, kCols);
    auto* f = f32x(b, kCols);
    return {b.CreateFMul(d_dmin[0], b.CreateSIToFP(ints.scale, f)),
            b.CreateFNeg(b.CreateFMul(d_dmin[1], b.CreateSIToFP(ints.min, f)))};
  }
  BlockScales low = p.scales(b, blk, 0), high = p.scales(b, blk, 1);
  return {concat(b, low.d, high.d), low.m ? concat(b, low.m, high.m) : nullptr};
}

llvm::Value* chunk_values(Builder& b, llvm::Value* q, bool is_signed, const ColumnScales& sc) {
  auto* f = f32x(b, kCols * kQuad);
  llvm::Value* v = b.CreateFMul(is_signed ? b.CreateSIToFP(q, f) : b.CreateUIToFP(q, f), per_quad(b, sc.d));
  return sc.m ? b.CreateFAdd(v, per_quad(b, sc.m)) : v;
}

// x16 panels: the pair's two panels a chunk at a time. A q8_0 chunk is 4 k of signed bytes;
// a q4/q5/q6 chunk's low nibbles are 4 k and its high ones the 4 k 16 further on (q6_kx16's
// each under its half's scale, 32 above their values).
void decode_panels(Builder& b, const LinearShape& s, llvm::Value* w, llvm::Value* n0, llvm::Value* k0, llvm::Value* kc,
                   llvm::Value* dst) {
  const PanelLayout at(s.wtype);
  const bool is_signed = signed_quants(s.wtype);
  const auto zero = static_cast<uint8_t>(zero_point(s.wtype));
  auto* last = i64c(b, s.N / kCols - 1);
  auto* blk0 = b.CreateUDiv(k0, i64c(b, kStep));
  for (int64_t h = 0; h < 2; ++h) {
    auto* panel = min64(b, b.CreateAdd(b.CreateUDiv(n0, i64c(b, kCols)), i64c(b, h)), last);
    WeightPanel p{at, !is_signed, at.panel(b, w, panel, s.K), s.K / kStep};
    emit_for(
        b, i64c(b, 0), b.CreateUDiv(kc, i64c(b, kStep)), 1,
        [&](llvm::Value* step) {
          auto* blk = b.CreateAdd(blk0, step);
          if (at.super_blocks()) p.prefetch_piece(b, blk);
          ColumnScales sc = panel_scales(b, p, blk);
          for (int64_t c = 0; c < at.chunks(); ++c) {
            if (is_signed) {
              auto* q = b.CreateAlignedLoad(i8x(b, kCols * kQuad), p.chunk(b, blk, i64c(b, c), 0), llvm::Align(1));
              store_chunk(b, chunk_values(b, q, true, sc), dst, step, h, 2 * c);
              continue;
            }
            std::array<llvm::Value*, 2> q = wide_chunk_quants(b, p, blk, i64c(b, c));
            for (int64_t half = 0; half < 2; ++half) {
              llvm::Value* values =
                  at.six_bit() ? chunk_values(b, b.CreateSub(q[half], splat(b, kCols * kQuad, b.getInt8(zero))), true,
                                              {half ? sc.d_hi : sc.d, nullptr})
                               : chunk_values(b, q[half], false, sc);
              store_chunk(b, values, dst, step, h, half * (kStep / kQuad) + 2 * c);
            }
          }
        },
        "bstep");
  }
}

// The 16 x 16 matrix of i32 whose rows are `rows`, transposed: four rounds of interleaving
// row i with row i + 8 (one two-source permute each on AVX-512).
std::vector<llvm::Value*> transpose16(Builder& b, std::vector<llvm::Value*> rows) {
  std::vector<int> lo, hi;
  for (int j = 0; j < 8; ++j) {
    lo.insert(lo.end(), {j, 16 + j});
    hi.insert(hi.end(), {8 + j, 24 + j});
  }
  for (int round = 0; round < 4; ++round) {
    std::vector<llvm::Value*> next(16);
    for (size_t i = 0; i < 8; ++i) {
      next[2 * i] = b.CreateShuffleVector(rows[i], rows[i + 8], lo);
      next[2 * i + 1] = b.CreateShuffleVector(rows[i], rows[i + 8], hi);
    }
    rows = std::move(next);
  }
  return rows;
}

// The 16 B rows of `step` (column half h) from the 16 columns' pairs of its 32 k.
void store_transposed(Builder& b, const std::vector<llvm::Value*>& column_pairs, llvm::Value* dst, llvm::Value* step,
                      int64_t h) {
  std::vector<llvm::Value*> rows = transpose16(b, column_pairs);
  for (int64_t r = 0; r < kCols; ++r)
    b.CreateAlignedStore(rows[static_cast<size_t>(r)], b_row(b, dst, step, h, i64c(b, r)), llvm::Align(kRowBytes));
}

// Stack space for a q6_k super-block of 16 columns: its quants as bytes ([16][256]) and its
// scales times d, per sub-block a vector of the 16 columns ([16][16] f32).
struct Q6Scratch {
  llvm::Value* quants;
  llvm::Value* scales;
};
constexpr int64_t kSuper = 256, kSubBlocks = 16;

// The 16 columns' q6_k scales times their d, stored per sub-block with a lane per column,
// so that the multiplies read them from memory, not from registers the transposes need.
void store_q6_k_scales(Builder& b, const std::vector<llvm::Value*>& supers, llvm::Value* scales) {
  const int64_t d_at = ir::dtype_block_bytes(ir::DType::q6_k) - 2;
  std::vector<llvm::Value*> per_column;
  for (llvm::Value* super : supers) {
    auto* d = b.CreateFPExt(b.CreateAlignedLoad(b.getHalfTy(), byte_ptr(b, super, i64c(b, d_at)), llvm::Align(1)),
                            b.getFloatTy());
    auto* scaled = b.CreateFMul(b.CreateSIToFP(q6_k_scales_i16(b, super), f32x(b, kCols)), splat(b, kCols, d));
    per_column.push_back(b.CreateBitCast(scaled, i32x(b, kCols)));
  }
  std::vector<llvm::Value*> subs = transpose16(b, per_column);
  for (int64_t sub = 0; sub < kSubBlocks; ++sub)
    b.CreateAlignedStore(subs[static_cast<size_t>(sub)], byte_ptr(b, scales, i64c(b, sub * kRowBytes)),
                         llvm::Align(kRowBytes));
}

// Dword `dw` of 16 columns' transposed quants (column c's k 4dw .. 4dw + 3 in lane c, less
// 32) as B rows 2dw and 2dw + 1. Each k's byte is sign-extended in its own lane by two
// shifts, so the only move across lanes is one word interleave per row, after rounding.
void store_quad_rows(Builder& b, llvm::Value* quads, llvm::Value* scales, llvm::Value* sub, llvm::Value* dst,
                     llvm::Value* step, int64_t h, int64_t dw) {
  auto* scale = b.CreateAlignedLoad(f32x(b, kCols), byte_ptr(b, scales, b.CreateMul(sub, i64c(b, kRowBytes))),
                                    llvm::Align(kRowBytes));
  auto value = [&](int k) {
    auto* bits = b.CreateShl(quads, splat(b, kCols, b.getInt32(static_cast<uint32_t>(24 - 8 * k))));
    auto* q = b.CreateAShr(bits, splat(b, kCols, b.getInt32(24)));
    return b.CreateFMul(b.CreateSIToFP(q, f32x(b, kCols)), scale);
  };
  std::vector<int> interleave;
  for (int c = 0; c < kCols; ++c) interleave.insert(interleave.end(), {c, static_cast<int>(kCols) + c});
  for (int row = 0; row < 2; ++row) {
    auto* both = round_to_bf16(b, concat(b, value(2 * row), value(2 * row + 1)));
    b.CreateAlignedStore(b.CreateShuffleVector(both, interleave), b_row(b, dst, step, h, i64c(b, 2 * dw + row)),
                         llvm::Align(kRowBytes));
  }
}

// A q6_k super-block of each of the 16 columns at byte `at` of their rows, as the B rows of
// its 8 steps (step0 ..). Each column's 256 quants are unpacked to bytes less 32, then two
// steps at a time the 16 columns' 64 bytes are transposed as dwords, so that one vector
// holds the same four k of every column: two B rows once widened, scaled and rounded.
// Moving bytes before they widen moves four k per lane where moving the rounded pairs moved
// two, and the unpacked quants and scales wait in memory, out of the registers the
// transposes need.
void decode_q6_k_super(Builder& b, const std::vector<llvm::Value*>& columns, llvm::Value* at, llvm::Value* dst,
                       llvm::Value* step0, int64_t h, const Q6Scratch& scratch) {
  constexpr int64_t kTwoSteps = 2 * kStep;
  std::vector<llvm::Value*> supers;
  for (llvm::Value* column : columns) supers.push_back(byte_ptr(b, column, at));
  for (size_t c = 0; c < supers.size(); ++c)
    for (int half = 0; half < 2; ++half) {
      std::array<llvm::Value*, 2> pairs = q6_k_piece_pairs(b, supers[c], half);
      for (int two = 0; two < 2; ++two) {
        auto* centered = b.CreateSub(pairs[static_cast<size_t>(two)], splat(b, kTwoSteps, b.getInt8(32)));
        const int64_t offset = static_cast<int64_t>(c) * kSuper + kSuper / 2 * half + kTwoSteps * two;
        b.CreateAlignedStore(centered, byte_ptr(b, scratch.quants, i64c(b, offset)), llvm::Align(kRowBytes));
      }
    }
  store_q6_k_scales(b, supers, scratch.scales);
  // A loop, not four copies: one copy's values already fill the registers.
  emit_for(
      b, i64c(b, 0), i64c(b, kSuper / kTwoSteps), 1,
      [&](llvm::Value* t) {
        auto* quants = byte_ptr(b, scratch.quants, b.CreateMul(t, i64c(b, kTwoSteps)));
        std::vector<llvm::Value*> rows;
        for (int64_t c = 0; c < kCols; ++c)
          rows.push_back(
              b.CreateAlignedLoad(i32x(b, kCols), byte_ptr(b, quants, i64c(b, c * kSuper)), llvm::Align(kRowBytes)));
        std::vector<llvm::Value*> quads = transpose16(b, rows);
        for (int64_t i = 0; i < kCols; ++i) {
          const int64_t dw = i % 8;
          auto* piece = b.CreateAdd(b.CreateMul(t, i64c(b, 2)), i64c(b, i / 8));
          auto* sub = b.CreateAdd(b.CreateMul(piece, i64c(b, 2)), i64c(b, dw / kQuad));
          store_quad_rows(b, quads[static_cast<size_t>(i)], scratch.scales, sub, dst, b.CreateAdd(step0, piece), h, dw);
        }
      },
      "q6two");
}

// &the first weight of each of the 16 columns of column half h from n0 (row-major weights:
// a column is a row of w); columns past the part's last read it again (computed, never stored).
std::vector<llvm::Value*> column_rows(Builder& b, const LinearShape& s, llvm::Value* w, llvm::Value* n0, int64_t h) {
  auto* last = i64c(b, s.N - 1);
  std::vector<llvm::Value*> columns;
  for (int64_t c = 0; c < kCols; ++c) {
    auto* n = min64(b, b.CreateAdd(n0, i64c(b, h * kCols + c)), last);
    columns.push_back(byte_ptr(b, w, b.CreateMul(n, i64c(b, s.w_row_bytes()))));
  }
  return columns;
}

// Row-major blocks: for each tile's 16 columns, a block (piece of 32 k) of each column
// decoded into its 16 pairs, the 16 x 16 pairs transposed into the step's 16 B rows.
void decode_rows(Builder& b, const LinearShape& s, llvm::Value* w, llvm::Value* n0, llvm::Value* k0, llvm::Value* kc,
                 llvm::Value* dst) {
  const int64_t elems = ir::dtype_block_elems(s.wtype), bytes = ir::dtype_block_bytes(s.wtype);
  const int pieces = block_pieces(s.wtype);
  auto* blk0 = b.CreateUDiv(k0, i64c(b, elems));
  Q6Scratch q6{};
  if (s.wtype == ir::DType::q6_k)
    q6 = {stack_array(b, b.getInt8Ty(), kCols * kSuper, kRowBytes),
          stack_array(b, b.getInt8Ty(), kSubBlocks * kRowBytes, kRowBytes)};
  for (int64_t h = 0; h < 2; ++h) {
    const std::vector<llvm::Value*> columns = column_rows(b, s, w, n0, h);
    emit_for(
        b, i64c(b, 0), b.CreateUDiv(kc, i64c(b, elems)), 1,
        [&](llvm::Value* i) {
          auto* at = b.CreateMul(b.CreateAdd(blk0, i), i64c(b, bytes));
          auto* step0 = b.CreateMul(i, i64c(b, pieces));
          if (s.wtype == ir::DType::q6_k) return decode_q6_k_super(b, columns, at, dst, step0, h, q6);
          for (int piece = 0; piece < pieces; ++piece) {
            std::vector<llvm::Value*> pairs;
            for (llvm::Value* column : columns)
              pairs.push_back(b.CreateBitCast(
                  round_to_bf16(b, kept_piece_values(b, s.wtype, byte_ptr(b, column, at), piece)), i32x(b, kCols)));
            store_transposed(b, pairs, dst, b.CreateAdd(step0, i64c(b, piece)), h);
          }
        },
        "bblk");
  }
}

// f32 weights: for each tile's 16 columns, 32 k of each column rounded into its 16 pairs,
// the 16 x 16 pairs transposed into the step's 16 B rows. The k past the part's K (a K
// that is no whole 32s: the tiles' k is padded to 32) read as zeros.
void decode_f32_rows(Builder& b, const LinearShape& s, llvm::Value* w, llvm::Value* n0, llvm::Value* k0,
                     llvm::Value* kc, llvm::Value* dst) {
  for (int64_t h = 0; h < 2; ++h) {
    const std::vector<llvm::Value*> columns = column_rows(b, s, w, n0, h);
    emit_for(
        b, i64c(b, 0), b.CreateUDiv(kc, i64c(b, kStep)), 1,
        [&](llvm::Value* step) {
          auto* k = b.CreateAdd(k0, b.CreateMul(step, i64c(b, kStep)));
          auto* count = b.CreateSub(i64c(b, s.K), k);
          std::vector<llvm::Value*> pairs;
          for (llvm::Value* column : columns) {
            auto* values = masked_load_f32x(b, byte_ptr(b, column, b.CreateMul(k, i64c(b, 4))), kStep, count);
            pairs.push_back(b.CreateBitCast(round_to_bf16(b, values), i32x(b, kCols)));
          }
          store_transposed(b, pairs, dst, step, h);
        },
        "fstep");
  }
}

}  // namespace

llvm::Value* round_to_bf16(Builder& b, llvm::Value* v) {
  const unsigned lanes = llvm::cast<llvm::FixedVectorType>(v->getType())->getNumElements();
  if (lanes >= 16 && llvm::isPowerOf2_32(lanes) && has_target_feature(*b.GetInsertBlock()->getParent(), "avx512bf16")) {
    // vcvtne2ps2bf16 (vcvtneps2bf16 for 16 lanes): the same rounding, one instruction per 32
    // lanes; its second operand gives the low half.
    auto part = [&](unsigned at) {
      std::vector<int> lane_ids;
      for (unsigned i = 0; i < 16; ++i) lane_ids.push_back(static_cast<int>(at + i));
      return lanes == 16 ? v : b.CreateShuffleVector(v, lane_ids);
    };
    if (lanes == 16)
      return b.CreateBitCast(b.CreateIntrinsic(llvm::Intrinsic::x86_avx512bf16_cvtneps2bf16_512, {}, {v}), i16x(b, 16));
    std::vector<llvm::Value*> parts;
    for (unsigned at = 0; at < lanes; at += 32)
      parts.push_back(b.CreateBitCast(
          b.CreateIntrinsic(llvm::Intrinsic::x86_avx512bf16_cvtne2ps2bf16_512, {}, {part(at + 16), part(at)}),
          i16x(b, 32)));
    while (parts.size() > 1) {
      std::vector<llvm::Value*> wider;
      for (size_t i = 0; i < parts.size(); i += 2) wider.push_back(concat(b, parts[i], parts[i + 1]));
      parts = std::move(wider);
    }
    return parts.front();
  }
  auto* bits = b.CreateBitCast(v, i32x(b, lanes));
  auto* odd = b.CreateAnd(b.CreateLShr(bits, 16), splat(b, lanes, b.getInt32(1)));
  auto* rounded = b.CreateAdd(bits, b.CreateAdd(odd, splat(b, lanes, b.getInt32(0x7FFF))));
  return b.CreateTrunc(b.CreateLShr(rounded, 16), i16x(b, lanes));
}

int64_t bf16_k_unit(const LinearShape& s) {
  return s.col_unit() > 1 || s.wtype == ir::DType::f32 ? kStep : ir::dtype_block_elems(s.wtype);
}

int64_t bf16_padded_k(int64_t K) { return (K + kStep - 1) / kStep * kStep; }

void decode_bf16_tiles(Builder& b, const LinearShape& s, llvm::Value* w, llvm::Value* n0, llvm::Value* k0,
                       llvm::Value* kc, llvm::Value* dst) {
  if (s.col_unit() > 1)
    decode_panels(b, s, w, n0, k0, kc, dst);
  else if (s.wtype == ir::DType::f32)
    decode_f32_rows(b, s, w, n0, k0, kc, dst);
  else
    decode_rows(b, s, w, n0, k0, kc, dst);
}

}  // namespace lmc::codegen
