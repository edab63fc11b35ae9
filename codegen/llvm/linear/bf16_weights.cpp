#include "codegen/llvm/linear/bf16_weights.h"

#include <array>
#include <vector>

#include <llvm/IR/Constants.h>

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
// _1 types' d and m, a K type's piece's d * scale and -(dmin * min), as ggml dequantizes.
struct ColumnScales {
  llvm::Value* d;
  llvm::Value* m;
};

ColumnScales panel_scales(Builder& b, const WeightPanel& p, llvm::Value* blk) {
  if (p.at.super_blocks()) {
    constexpr int64_t kPieces = 8;
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
// a q4/q5 chunk's low nibbles are 4 k and its high ones the 4 k 16 further on.
void decode_panels(Builder& b, const LinearShape& s, LinearIO& io, llvm::Value* n0, llvm::Value* k0, llvm::Value* kc,
                   llvm::Value* dst) {
  const PanelLayout at(s.wtype);
  const bool is_signed = signed_quants(s.wtype);
  auto* last = i64c(b, s.N / kCols - 1);
  auto* blk0 = b.CreateUDiv(k0, i64c(b, kStep));
  for (int64_t h = 0; h < 2; ++h) {
    auto* panel = min64(b, b.CreateAdd(b.CreateUDiv(n0, i64c(b, kCols)), i64c(b, h)), last);
    WeightPanel p{at, !is_signed, at.panel(b, io.w(), panel, s.K), s.K / kStep};
    emit_for(
        b, i64c(b, 0), b.CreateUDiv(kc, i64c(b, kStep)), 1,
        [&](llvm::Value* step) {
          auto* blk = b.CreateAdd(blk0, step);
          ColumnScales sc = panel_scales(b, p, blk);
          for (int64_t c = 0; c < at.chunks(); ++c) {
            if (is_signed) {
              auto* q = b.CreateAlignedLoad(i8x(b, kCols * kQuad), p.chunk(b, blk, i64c(b, c), 0), llvm::Align(1));
              store_chunk(b, chunk_values(b, q, true, sc), dst, step, h, 2 * c);
              continue;
            }
            std::array<llvm::Value*, 2> q = wide_chunk_quants(b, p, blk, i64c(b, c));
            for (int64_t half = 0; half < 2; ++half)
              store_chunk(b, chunk_values(b, q[half], false, sc), dst, step, h, half * (kStep / kQuad) + 2 * c);
          }
        },
        "bstep");
  }
}

// Row-major blocks: a column's block (piece) at a time, its 16 pairs scattered down the
// column's lane of the step's 16 B rows.
void decode_rows(Builder& b, const LinearShape& s, LinearIO& io, llvm::Value* n0, llvm::Value* k0, llvm::Value* kc,
                 llvm::Value* dst) {
  const int64_t elems = ir::dtype_block_elems(s.wtype), bytes = ir::dtype_block_bytes(s.wtype);
  const int pieces = block_pieces(s.wtype);
  std::vector<llvm::Constant*> rows;
  for (int64_t r = 0; r < kCols; ++r) rows.push_back(b.getInt64(r * kRowBytes));
  auto* row_offsets = llvm::ConstantVector::get(rows);
  auto* last = i64c(b, s.N - 1);
  auto* blk0 = b.CreateUDiv(k0, i64c(b, elems));
  for (int64_t h = 0; h < 2; ++h)
    emit_for(
        b, i64c(b, 0), i64c(b, kCols), 1,
        [&](llvm::Value* c) {
          llvm::Value* weights = io.weight_row(min64(b, b.CreateAdd(n0, b.CreateAdd(c, i64c(b, h * kCols))), last));
          emit_for(
              b, i64c(b, 0), b.CreateUDiv(kc, i64c(b, elems)), 1,
              [&](llvm::Value* i) {
                llvm::Value* block = byte_ptr(b, weights, b.CreateMul(b.CreateAdd(blk0, i), i64c(b, bytes)));
                for (int piece = 0; piece < pieces; ++piece) {
                  auto* pairs =
                      b.CreateBitCast(round_to_bf16(b, kept_piece_values(b, s.wtype, block, piece)), i32x(b, kCols));
                  auto* step = b.CreateAdd(b.CreateMul(i, i64c(b, pieces)), i64c(b, piece));
                  auto* lane = byte_ptr(b, b_row(b, dst, step, h, i64c(b, 0)), b.CreateMul(c, i64c(b, 4)));
                  b.CreateMaskedScatter(pairs, b.CreateGEP(b.getInt8Ty(), lane, row_offsets), llvm::Align(4));
                }
              },
              "bblk");
        },
        "bcol");
}

}  // namespace

llvm::Value* round_to_bf16(Builder& b, llvm::Value* v) {
  const unsigned lanes = llvm::cast<llvm::FixedVectorType>(v->getType())->getNumElements();
  auto* bits = b.CreateBitCast(v, i32x(b, lanes));
  auto* odd = b.CreateAnd(b.CreateLShr(bits, 16), splat(b, lanes, b.getInt32(1)));
  auto* rounded = b.CreateAdd(bits, b.CreateAdd(odd, splat(b, lanes, b.getInt32(0x7FFF))));
  return b.CreateTrunc(b.CreateLShr(rounded, 16), i16x(b, lanes));
}

int64_t bf16_k_unit(const LinearShape& s) { return s.col_unit() > 1 ? kStep : ir::dtype_block_elems(s.wtype); }

void decode_bf16_tiles(Builder& b, const LinearShape& s, LinearIO& io, llvm::Value* n0, llvm::Value* k0,
                       llvm::Value* kc, llvm::Value* dst) {
  if (s.col_unit() > 1)
    decode_panels(b, s, io, n0, k0, kc, dst);
  else
    decode_rows(b, s, io, n0, k0, kc, dst);
}

}  // namespace lmc::codegen
