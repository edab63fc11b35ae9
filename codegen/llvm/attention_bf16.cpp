#include "codegen/llvm/attention_bf16.h"

#include <algorithm>
#include <vector>

#include <llvm/IR/Constants.h>
#include <llvm/IR/IntrinsicsX86.h>

#include "codegen/llvm/linear/bf16_weights.h"

namespace lmc::codegen {

namespace {

constexpr int64_t kTileRows = 16;
constexpr int64_t kRowBytes = 64;  // a tile row: 32 bf16 or 16 f32
constexpr int64_t kTileBytes = kTileRows * kRowBytes;
constexpr int64_t kStep = 32;  // k per tdpbf16ps: dims of the scores, keys of the value sums
constexpr int64_t kCols = 16;  // a C tile's columns: keys of the scores, dims of the sums

llvm::Value* i16c(Builder& b, int64_t v) { return b.getInt16(static_cast<uint16_t>(v)); }

llvm::Value* tile_load(Builder& b, llvm::Value* ptr, int64_t stride) {
  return b.CreateIntrinsic(llvm::Intrinsic::x86_tileloadd64_internal, {},
                           {i16c(b, kTileRows), i16c(b, kRowBytes), ptr, i64c(b, stride)});
}

void tile_store(Builder& b, llvm::Value* ptr, int64_t stride, llvm::Value* tile) {
  b.CreateIntrinsic(llvm::Intrinsic::x86_tilestored64_internal, {},
                    {i16c(b, kTileRows), i16c(b, kRowBytes), ptr, i64c(b, stride), tile});
}

llvm::Value* tdp(Builder& b, llvm::Value* c, llvm::Value* a, llvm::Value* w) {
  return b.CreateIntrinsic(llvm::Intrinsic::x86_tdpbf16ps_internal, {},
                           {i16c(b, kTileRows), i16c(b, kRowBytes), i16c(b, kRowBytes), c, a, w});
}

// `lanes` f32 from p rounded to bf16, stored at q.
void store_bf16(Builder& b, llvm::Value* v, llvm::Value* q) {
  b.CreateAlignedStore(round_to_bf16(b, v), q, llvm::Align(2));
}

llvm::Value* bf16_at(Builder& b, llvm::Value* base, llvm::Value* i) { return elem_ptr(b, b.getInt16Ty(), base, i); }

}  // namespace

bool AttentionBf16Tiles::fits(const AttentionShape& s) {
  return s.block() % kStep == 0 && std::max(kTileQueries, s.group()) <= kQueries;
}

AttentionBf16Tiles::AttentionBf16Tiles(Builder& b, const AttentionShape& s, int64_t row_dims, int64_t keys_pad)
    : b_(b),
      row_dims_(row_dims),
      score_dims_((s.head_dim + kStep - 1) / kStep * kStep),
      keys_pad_(keys_pad),
      qb_(stack_array(b, b.getInt16Ty(), kQueries * score_dims_, 64)),
      kb_(stack_array(b, b.getInt16Ty(), score_dims_ * keys_pad, 64)),
      pb_(stack_array(b, b.getInt16Ty(), kQueries * keys_pad, 64)),
      vb_(stack_array(b, b.getInt16Ty(), keys_pad * row_dims, 64)) {}

// row_dims is a whole 16s, so a step of 32 lies in the row or has its upper 16 past it.
llvm::Value* AttentionBf16Tiles::step_of(llvm::Value* row, int64_t at) {
  auto& b = b_;
  if (at + kStep <= row_dims_) return load_f32x(b, f32_ptr(b, row, i64c(b, at)), kStep);
  return concat(b, load_f32x(b, f32_ptr(b, row, i64c(b, at)), kCols), splat_f32(b, kCols, 0.0f));
}

void AttentionBf16Tiles::queries(llvm::Value* qs, llvm::Value* count) {
  auto& b = b_;
  emit_for(
      b, i64c(b, 0), i64c(b, kQueries), 1,
      [&](llvm::Value* m) {
        auto* live = b.CreateICmpSLT(m, count);
        auto* row = f32_ptr(b, qs, b.CreateMul(m, i64c(b, row_dims_)));
        for (int64_t d = 0; d < score_dims_; d += kStep) {
          auto* v = b.CreateSelect(live, step_of(row, d), splat_f32(b, kStep, 0.0f));
          store_bf16(b, v, bf16_at(b, qb_, b.CreateAdd(b.CreateMul(m, i64c(b, score_dims_)), i64c(b, d))));
        }
      },
      "qbf16");
}

// Key i's dims (32 ds .. 32 ds + 31) as 16 pairs down row r of the B tile (ds, i / 16),
// in the key's lane i % 16.
void AttentionBf16Tiles::keys_to_tiles(llvm::Value* ks, llvm::Value* n_tile) {
  auto& b = b_;
  const int64_t groups = keys_pad_ / kCols;
  std::vector<llvm::Constant*> rows;
  for (int64_t r = 0; r < kTileRows; ++r) rows.push_back(b.getInt64(r * kRowBytes));
  auto* row_offsets = llvm::ConstantVector::get(rows);
  emit_for(
      b, i64c(b, 0), n_tile, 1,
      [&](llvm::Value* i) {
        auto* group = b.CreateUDiv(i, i64c(b, kCols));
        auto* lane = b.CreateMul(b.CreateURem(i, i64c(b, kCols)), i64c(b, 4));
        auto* row = f32_ptr(b, ks, b.CreateMul(i, i64c(b, row_dims_)));
        for (int64_t ds = 0; ds < score_dims_ / kStep; ++ds) {
          auto* pairs = b.CreateBitCast(round_to_bf16(b, step_of(row, ds * kStep)), i32x(b, kCols));
          auto* tile = b.CreateMul(b.CreateAdd(group, i64c(b, ds * groups)), i64c(b, kTileBytes));
          auto* at = byte_ptr(b, kb_, b.CreateAdd(tile, lane));
          b.CreateMaskedScatter(pairs, b.CreateGEP(b.getInt8Ty(), at, row_offsets), llvm::Align(4));
        }
      },
      "kbf16");
}

// Keys 2r and 2r + 1 of a step of 32, interleaved dim by dim: row r of the B tile of
// the step and the 16 dims.
void AttentionBf16Tiles::values_to_tiles(llvm::Value* vs, llvm::Value* n_tile) {
  auto& b = b_;
  const int64_t groups = row_dims_ / kCols;
  std::vector<int> interleave;
  for (int d = 0; d < kCols; ++d) {
    interleave.push_back(d);
    interleave.push_back(kCols + d);
  }
  emit_for(
      b, i64c(b, 0), b.CreateUDiv(n_tile, i64c(b, 2)), 1,
      [&](llvm::Value* pair) {
        auto* step = b.CreateUDiv(pair, i64c(b, kTileRows));
        auto* row = b.CreateURem(pair, i64c(b, kTileRows));
        auto* first = b.CreateMul(b.CreateMul(pair, i64c(b, 2)), i64c(b, row_dims_));
        for (int64_t g = 0; g < groups; ++g) {
          auto* even = round_to_bf16(b, load_f32x(b, f32_ptr(b, vs, b.CreateAdd(first, i64c(b, g * kCols))), kCols));
          auto* odd =
              round_to_bf16(b, load_f32x(b, f32_ptr(b, vs, b.CreateAdd(first, i64c(b, row_dims_ + g * kCols))), kCols));
          auto* tile = b.CreateAdd(b.CreateMul(step, i64c(b, groups)), i64c(b, g));
          auto* at = b.CreateAdd(b.CreateMul(tile, i64c(b, kTileBytes)), b.CreateMul(row, i64c(b, kRowBytes)));
          b.CreateAlignedStore(b.CreateShuffleVector(even, odd, interleave), byte_ptr(b, vb_, at), llvm::Align(64));
        }
      },
      "vbf16");
}

void AttentionBf16Tiles::weights_to_bf16(llvm::Value* ps, llvm::Value* count, llvm::Value* n, llvm::Value* n_tile) {
  auto& b = b_;
  std::vector<llvm::Constant*> lanes;
  for (int64_t i = 0; i < kCols; ++i) lanes.push_back(b.getInt64(i));
  auto* lane = llvm::ConstantVector::get(lanes);
  emit_for(
      b, i64c(b, 0), i64c(b, kQueries), 1,
      [&](llvm::Value* m) {
        auto* live = b.CreateVectorSplat(kCols, b.CreateICmpSLT(m, count));
        emit_for(
            b, i64c(b, 0), n_tile, kCols,
            [&](llvm::Value* k0) {
              auto* at = b.CreateAdd(b.CreateMul(m, i64c(b, keys_pad_)), k0);
              auto* key = b.CreateAdd(b.CreateVectorSplat(kCols, k0), lane);
              auto* keep = b.CreateAnd(live, b.CreateICmpSLT(key, b.CreateVectorSplat(kCols, n)));
              auto* v = b.CreateSelect(keep, load_f32x(b, f32_ptr(b, ps, at), kCols), splat_f32(b, kCols, 0.0f));
              store_bf16(b, v, bf16_at(b, pb_, at));
            },
            "pk");
      },
      "pbf16");
}

void AttentionBf16Tiles::scores(llvm::Value* ks, llvm::Value* ps, llvm::Value* n_tile) {
  auto& b = b_;
  keys_to_tiles(ks, n_tile);
  const int64_t groups = keys_pad_ / kCols;
  emit_for(
      b, i64c(b, 0), n_tile, kCols,
      [&](llvm::Value* k0) {
        auto* group = b.CreateUDiv(k0, i64c(b, kCols));
        for (int64_t mt = 0; mt < kQueries / kTileRows; ++mt) {
          llvm::Value* c =
              b.CreateIntrinsic(llvm::Intrinsic::x86_tilezero_internal, {}, {i16c(b, kTileRows), i16c(b, kRowBytes)});
          for (int64_t ds = 0; ds < score_dims_ / kStep; ++ds) {
            auto* a =
                tile_load(b, bf16_at(b, qb_, i64c(b, mt * kTileRows * score_dims_ + ds * kStep)), 2 * score_dims_);
            auto* tile = b.CreateAdd(group, i64c(b, ds * groups));
            c = tdp(b, c, a, tile_load(b, byte_ptr(b, kb_, b.CreateMul(tile, i64c(b, kTileBytes))), kRowBytes));
          }
          tile_store(b, f32_ptr(b, ps, b.CreateAdd(i64c(b, mt * kTileRows * keys_pad_), k0)), 4 * keys_pad_, c);
        }
      },
      "stile");
}

void AttentionBf16Tiles::accumulate(llvm::Value* ps, llvm::Value* vs, llvm::Value* os, llvm::Value* count,
                                    llvm::Value* n, llvm::Value* n_tile) {
  auto& b = b_;
  weights_to_bf16(ps, count, n, n_tile);
  values_to_tiles(vs, n_tile);
  const int64_t groups = row_dims_ / kCols;
  for (int64_t mt = 0; mt < kQueries / kTileRows; ++mt)
    emit_for(
        b, i64c(b, 0), i64c(b, groups), 1,
        [&](llvm::Value* g) {
          auto* out = f32_ptr(b, os, b.CreateAdd(i64c(b, mt * kTileRows * row_dims_), b.CreateMul(g, i64c(b, kCols))));
          Carried acc = emit_for_carry(
              b, i64c(b, 0), b.CreateUDiv(n_tile, i64c(b, kStep)), 1, {tile_load(b, out, 4 * row_dims_)},
              [&](llvm::Value* step, const Carried& cur) {
                auto* a = tile_load(
                    b,
                    bf16_at(b, pb_,
                            b.CreateAdd(i64c(b, mt * kTileRows * keys_pad_), b.CreateMul(step, i64c(b, kStep)))),
                    2 * keys_pad_);
                auto* tile = b.CreateAdd(b.CreateMul(step, i64c(b, groups)), g);
                return Carried{tdp(b, cur[0], a,
                                   tile_load(b, byte_ptr(b, vb_, b.CreateMul(tile, i64c(b, kTileBytes))), kRowBytes))};
              },
              "vstep");
          tile_store(b, out, 4 * row_dims_, acc[0]);
        },
        "vtile");
}

}  // namespace lmc::codegen
