#include "codegen/llvm/linear/bf16_tiles.h"

#include <algorithm>
#include <array>

#include <llvm/IR/Function.h>
#include <llvm/IR/IntrinsicsX86.h>

#include "codegen/llvm/linear/bf16_weights.h"

namespace lmc::codegen {

namespace {

constexpr int64_t kTileRows = 16;  // rows of every tile, A, B and C
constexpr int64_t kRowBytes = 64;  // a tile row: 32 bf16 (A, B) or 16 f32 (C)
constexpr int64_t kStep = 32;      // k per tdpbf16ps
constexpr int64_t kPair = 32;      // rows, and columns, of four C tiles
constexpr int64_t kSumBytes = kPair * 4;  // a row of the sums scratch: 32 f32
// A row block's input rows in bf16: they stay in L2 while every column pair's K loops read
// them. At 7B's K = 4096, 128 rows; at ffn_down's 14336, 32.
constexpr int64_t kMaxInputBytes = 1 << 20;
constexpr int64_t kMaxRows = 256;
// A k block of a column pair's decoded weights: K up to 4096 in one block, so C is stored
// once; at 14336, four blocks, C through the scratch between them.
constexpr int64_t kMaxWeightBytes = 256 << 10;

struct Plan {
  int64_t rows;     // input rows per row block, a multiple of kPair
  int64_t kc;       // k per k block, a multiple of bf16_k_unit
  int64_t kblocks;  // k blocks over K
};

Plan plan(const LinearShape& s) {
  Plan p{};
  p.rows = std::clamp<int64_t>(kMaxInputBytes / (2 * s.K) / kPair * kPair, kPair, kMaxRows);
  const int64_t unit = bf16_k_unit(s), bytes_per_k = kPair * 2;
  const int64_t blocks = (s.K * bytes_per_k + kMaxWeightBytes - 1) / kMaxWeightBytes;
  p.kc = ((s.K + blocks - 1) / blocks + unit - 1) / unit * unit;
  p.kblocks = (s.K + p.kc - 1) / p.kc;
  return p;
}

using Scratch = Bf16TileScratch;

llvm::Value* i16c(Builder& b, int64_t v) { return b.getInt16(static_cast<uint16_t>(v)); }

llvm::Value* tile_load(Builder& b, llvm::Value* ptr, llvm::Value* stride) {
  return b.CreateIntrinsic(llvm::Intrinsic::x86_tileloadd64_internal, {},
                           {i16c(b, kTileRows), i16c(b, kRowBytes), ptr, stride});
}

// &the C tile (i, j) of the row pair at r0 in the sums scratch: rows r0 + 16i, columns 16j.
llvm::Value* sums_tile(Builder& b, const Scratch& sc, llvm::Value* r0, int i, int j) {
  auto* row = b.CreateAdd(r0, i64c(b, i * kTileRows));
  return byte_ptr(b, sc.sums, b.CreateAdd(b.CreateMul(row, i64c(b, kSumBytes)), i64c(b, j * kRowBytes)));
}

// Rows [t0, t0 + rows) of the input through the prologue, rounded to bf16, into a (K
// apart; a prologue's statistics prepared as many rows at a time as it holds); the rows
// from `rows` to `padded` zero, so a row pair's tiles read no stale rows.
void fill_input(Builder& b, const LinearShape& s, LinearIO& io, const Scratch& sc, llvm::Value* t0, llvm::Value* rows,
                llvm::Value* padded) {
  auto* row_bytes = i64c(b, 2 * s.K);
  emit_for(
      b, i64c(b, 0), rows, kMaxPreparedRows,
      [&](llvm::Value* r0) {
        auto* n = min64(b, i64c(b, kMaxPreparedRows), b.CreateSub(rows, r0));
        if (!io.plain_input()) io.prepare_rows(b.CreateAdd(t0, r0), n);
        emit_for(
            b, r0, b.CreateAdd(r0, n), 1,
            [&](llvm::Value* r) {
              auto* t = b.CreateAdd(t0, r);
              auto* dst = byte_ptr(b, sc.a, b.CreateMul(r, row_bytes));
              emit_for(
                  b, i64c(b, 0), i64c(b, s.K), 16,
                  [&](llvm::Value* k) {
                    auto* v = concat(b, io.load_input(t, k, 8), io.load_input(t, b.CreateAdd(k, i64c(b, 8)), 8));
                    b.CreateAlignedStore(round_to_bf16(b, v), byte_ptr(b, dst, b.CreateMul(k, i64c(b, 2))),
                                         llvm::Align(32));
                  },
                  "ak");
            },
            "ar");
      },
      "aprep");
  b.CreateMemSet(byte_ptr(b, sc.a, b.CreateMul(rows, row_bytes)), b.getInt8(0),
                 b.CreateMul(b.CreateSub(padded, rows), row_bytes), llvm::Align(2));
}

// Rows [r0, r0 + 32) x the column pair over k [k0, k0 + kc): four C tiles carried through
// the K loop — two A and two B tile loads, four tdpbf16ps a step — and stored after it.
void row_pair(Builder& b, const LinearShape& s, const Plan& p, const Scratch& sc, llvm::Value* r0, llvm::Value* k0,
              llvm::Value* kc) {
  auto* a_stride = i64c(b, 2 * s.K);
  auto* c_stride = i64c(b, kSumBytes);
  Carried init;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j)
      init.push_back(p.kblocks == 1 ? b.CreateIntrinsic(llvm::Intrinsic::x86_tilezero_internal, {},
                                                        {i16c(b, kTileRows), i16c(b, kRowBytes)})
                                    : tile_load(b, sums_tile(b, sc, r0, i, j), c_stride));
  Carried acc = emit_for_carry(
      b, i64c(b, 0), b.CreateUDiv(kc, i64c(b, kStep)), 1, init,
      [&](llvm::Value* step, const Carried& cur) {
        auto* k_bytes = b.CreateMul(b.CreateAdd(k0, b.CreateMul(step, i64c(b, kStep))), i64c(b, 2));
        std::array<llvm::Value*, 2> a, w;
        for (int i = 0; i < 2; ++i) {
          auto* row = b.CreateAdd(r0, i64c(b, i * kTileRows));
          a[i] = tile_load(b, byte_ptr(b, sc.a, b.CreateAdd(b.CreateMul(row, a_stride), k_bytes)), a_stride);
          auto* tile = b.CreateAdd(b.CreateMul(step, i64c(b, 2)), i64c(b, i));
          w[i] = tile_load(b, byte_ptr(b, sc.w, b.CreateMul(tile, i64c(b, kBf16TileBytes))), i64c(b, kRowBytes));
        }
        Carried next;
        for (int i = 0; i < 2; ++i)
          for (int j = 0; j < 2; ++j)
            next.push_back(b.CreateIntrinsic(llvm::Intrinsic::x86_tdpbf16ps_internal, {},
                                             {i16c(b, kTileRows), i16c(b, kRowBytes), i16c(b, kRowBytes),
                                              cur[static_cast<size_t>(2 * i + j)], a[i], w[j]}));
        return next;
      },
      "k");
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j)
      b.CreateIntrinsic(llvm::Intrinsic::x86_tilestored64_internal, {},
                        {i16c(b, kTileRows), i16c(b, kRowBytes), sums_tile(b, sc, r0, i, j), c_stride,
                         acc[static_cast<size_t>(2 * i + j)]});
}

// The row block's rows x the column pair from the sums, through the epilogue; columns
// past the part's end are not stored.
void store_pair(Builder& b, LinearIO& io, const Scratch& sc, llvm::Value* t0, llvm::Value* rows, llvm::Value* n0) {
  emit_for(
      b, i64c(b, 0), rows, 1,
      [&](llvm::Value* r) {
        for (int64_t g = 0; g < kPair / 8; ++g) {
          auto* n = b.CreateAdd(n0, i64c(b, 8 * g));
          auto* count = min64(b, b.CreateSub(io.col_end(), n), i64c(b, 8));
          emit_if(b, b.CreateICmpSGT(count, i64c(b, 0)), [&] {
            auto* sums = byte_ptr(b, sc.sums, b.CreateAdd(b.CreateMul(r, i64c(b, kSumBytes)), i64c(b, 32 * g)));
            io.store_output(b.CreateAdd(t0, r), n, load_f32x(b, sums, 8), 8, count);
          });
        }
      },
      "out");
}

}  // namespace

bool use_amx_bf16(const llvm::Function& fn) {
  return has_target_feature(fn, "amx-tile") && has_target_feature(fn, "amx-bf16");
}

bool bf16_tiles_take(const LinearShape& s) { return ir::is_quantized(s.wtype); }

Bf16TileScratch::Bf16TileScratch(Builder& b, const LinearParts& s) {
  int64_t rows = 0, kc = 0;
  for (const LinearShape& part : s.parts) {
    const Plan p = plan(part);
    rows = std::max(rows, p.rows);
    kc = std::max(kc, p.kc);
  }
  a = stack_array(b, b.getInt16Ty(), rows * s.parts.front().K, 64);
  w = stack_array(b, b.getInt8Ty(), kc / kStep * 2 * kBf16TileBytes, 64);
  sums = stack_array(b, b.getFloatTy(), rows * kPair, 64);
}

void emit_linear_bf16_tiles(Builder& b, const LinearShape& s, LinearIO& io, const Bf16TileScratch& sc) {
  const Plan p = plan(s);
  emit_for(
      b, io.row_begin(), io.row_end(), p.rows,
      [&](llvm::Value* t0) {
        auto* rows = min64(b, i64c(b, p.rows), b.CreateSub(io.row_end(), t0));
        auto* padded = b.CreateAnd(b.CreateAdd(rows, i64c(b, kPair - 1)), i64c(b, ~(kPair - 1)));
        fill_input(b, s, io, sc, t0, rows, padded);
        emit_for(
            b, io.col_begin(), io.col_end(), kPair,
            [&](llvm::Value* n0) {
              if (p.kblocks > 1)
                b.CreateMemSet(sc.sums, b.getInt8(0), b.CreateMul(padded, i64c(b, kSumBytes)), llvm::Align(64));
              emit_for(
                  b, i64c(b, 0), i64c(b, s.K), p.kc,
                  [&](llvm::Value* k0) {
                    auto* kc = min64(b, i64c(b, p.kc), b.CreateSub(i64c(b, s.K), k0));
                    decode_bf16_tiles(b, s, io, n0, k0, kc, sc.w);
                    emit_for(
                        b, i64c(b, 0), padded, kPair, [&](llvm::Value* r0) { row_pair(b, s, p, sc, r0, k0, kc); },
                        "rpair");
                  },
                  "kblk");
              store_pair(b, io, sc, t0, rows, n0);
            },
            "npair");
      },
      "rblk");
}

}  // namespace lmc::codegen
