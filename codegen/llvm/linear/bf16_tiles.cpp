#include "codegen/llvm/linear/bf16_tiles.h"

#include <algorithm>
#include <array>

#include <llvm/IR/Constants.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/IntrinsicsX86.h>
#include <llvm/IR/Module.h>

#include "codegen/llvm/linear/bf16_weights.h"

namespace lmc::codegen {

namespace {

constexpr int64_t kTileRows = 16;  // rows of every tile, A, B and C
constexpr int64_t kRowBytes = 64;  // a tile row: 32 bf16 (A, B) or 16 f32 (C)
constexpr int64_t kStep = 32;      // k per tdpbf16ps
constexpr int64_t kPair = 32;      // rows, and columns, of four C tiles
// Columns per column block: its 8 column pairs reuse each row pair's A tiles from L1/L2,
// so the rounded rows stream from farther once per 256 columns.
constexpr int64_t kBlockCols = 256;
constexpr int64_t kSumBytes = kBlockCols * 4;  // a row of the sums: the block's f32
// A column block's decoded weights per k block: they stay in L2 while every row pair of
// the call passes. At K = 4096, k blocks of 512.
constexpr int64_t kMaxWeightBytes = 256 << 10;
// The call's rows in bf16: every row of a 512-row step at 7B's K = 14336 (14 MiB). A call
// with more rows takes them in row blocks, decoding the weights once per block.
constexpr int64_t kMaxInputBytes = 16 << 20;

struct Plan {
  int64_t k;           // the part's K padded to 32 (bf16_padded_k): what the tiles take
  int64_t kc;          // k per k block, a multiple of bf16_k_unit
  int64_t pair_bytes;  // one column pair's decoded k block: kc / 32 steps x 2 tiles
};

Plan plan(const LinearShape& s) {
  const int64_t unit = bf16_k_unit(s), K = bf16_padded_k(s.K);
  const int64_t blocks = (K * kBlockCols * 2 + kMaxWeightBytes - 1) / kMaxWeightBytes;
  Plan p{};
  p.k = K;
  p.kc = std::min(K, ((K + blocks - 1) / blocks + unit - 1) / unit * unit);
  p.pair_bytes = p.kc / kStep * 2 * kBf16TileBytes;
  return p;
}

// Input rows per row block (of K padded to 32): a multiple of kPair.
int64_t block_rows(int64_t K) { return std::max<int64_t>(kPair, kMaxInputBytes / (2 * K) / kPair * kPair); }

struct Scratch {
  llvm::Value* w;     // bf16 B tiles: a column block's k block, column pair after pair
  llvm::Value* sums;  // f32 [padded rows x kBlockCols]: the column block's sums
  llvm::Value* a;     // bf16 [padded rows x K]: the row block's input rows
};

llvm::Value* i16c(Builder& b, int64_t v) { return b.getInt16(static_cast<uint16_t>(v)); }

llvm::Value* round_up(Builder& b, llvm::Value* v, int64_t unit) {
  return b.CreateAnd(b.CreateAdd(v, i64c(b, unit - 1)), i64c(b, ~(unit - 1)));
}

// This thread's scratch for up to `rows` padded rows (thread_scratch.h): the weights'
// region sized for the widest part's k block.
Scratch thread_scratch(Builder& b, const LinearParts& s, llvm::Value* rows) {
  int64_t w_bytes = 0;
  for (const LinearShape& part : s.parts) w_bytes = std::max(w_bytes, plan(part).pair_bytes * (kBlockCols / kPair));
  auto* sum_bytes = b.CreateMul(rows, i64c(b, kSumBytes));
  auto* a_bytes = b.CreateMul(rows, i64c(b, 2 * bf16_padded_k(s.parts.front().K)));
  llvm::Module* m = b.GetInsertBlock()->getModule();
  llvm::FunctionCallee get =
      m->getOrInsertFunction("lmc_thread_scratch", llvm::FunctionType::get(b.getPtrTy(), {b.getInt64Ty()}, false));
  auto* base = b.CreateCall(get, {b.CreateAdd(i64c(b, w_bytes), b.CreateAdd(sum_bytes, a_bytes))});
  Scratch sc{};
  sc.w = base;
  sc.sums = byte_ptr(b, base, i64c(b, w_bytes));
  sc.a = byte_ptr(b, sc.sums, sum_bytes);
  return sc;
}

llvm::Value* tile_load(Builder& b, llvm::Value* ptr, llvm::Value* stride) {
  return b.CreateIntrinsic(llvm::Intrinsic::x86_tileloadd64_internal, {},
                           {i16c(b, kTileRows), i16c(b, kRowBytes), ptr, stride});
}

// &the C tile (i, j) of row pair r0 and column pair `pair` in the sums: rows r0 + 16i,
// columns 32 pair + 16j of the block.
llvm::Value* sums_tile(Builder& b, const Scratch& sc, llvm::Value* r0, llvm::Value* pair, int i, int j) {
  auto* row = b.CreateAdd(r0, i64c(b, i * kTileRows));
  auto* col_bytes = b.CreateAdd(b.CreateMul(pair, i64c(b, kPair * 4)), i64c(b, j * kRowBytes));
  return byte_ptr(b, sc.sums, b.CreateAdd(b.CreateMul(row, i64c(b, kSumBytes)), col_bytes));
}

// 16 input values of row t from k, rounded to bf16, at dst; those from K on zero (a prologue
// may compute anything from the zeros a masked load reads).
void store_input_tail(Builder& b, int64_t K, LinearIO& io, llvm::Value* t, llvm::Value* k, llvm::Value* dst) {
  std::array<llvm::Value*, 2> halves{};
  for (int64_t h = 0; h < 2; ++h) {
    auto* at = b.CreateAdd(k, i64c(b, 8 * h));
    auto* count = b.CreateSub(i64c(b, K), at);
    halves[h] = b.CreateSelect(lane_mask(b, 8, count), io.load_input(t, at, 8, count),
                               llvm::Constant::getNullValue(f32x(b, 8)));
  }
  b.CreateAlignedStore(round_to_bf16(b, concat(b, halves[0], halves[1])), dst, llvm::Align(32));
}

// Rows [t0, t0 + rows) of the input through the prologue, rounded to bf16, into a (K padded
// to 32 apart, the padding zero; a prologue's statistics prepared as many rows at a time as
// it holds); the rows from `rows` to `padded` zero, so a row pair's tiles read no stale rows.
void fill_input(Builder& b, int64_t K, LinearIO& io, const Scratch& sc, llvm::Value* t0, llvm::Value* rows,
                llvm::Value* padded) {
  const int64_t whole = K / 16 * 16, kp = bf16_padded_k(K);
  auto* row_bytes = i64c(b, 2 * kp);
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
                  b, i64c(b, 0), i64c(b, whole), 16,
                  [&](llvm::Value* k) {
                    auto* v = concat(b, io.load_input(t, k, 8), io.load_input(t, b.CreateAdd(k, i64c(b, 8)), 8));
                    b.CreateAlignedStore(round_to_bf16(b, v), byte_ptr(b, dst, b.CreateMul(k, i64c(b, 2))),
                                         llvm::Align(32));
                  },
                  "ak");
              if (whole < kp)
                emit_for(
                    b, i64c(b, whole), i64c(b, kp), 16,
                    [&](llvm::Value* k) {
                      store_input_tail(b, K, io, t, k, byte_ptr(b, dst, b.CreateMul(k, i64c(b, 2))));
                    },
                    "atail");
            },
            "ar");
      },
      "aprep");
  b.CreateMemSet(byte_ptr(b, sc.a, b.CreateMul(rows, row_bytes)), b.getInt8(0),
                 b.CreateMul(b.CreateSub(padded, rows), row_bytes), llvm::Align(2));
}

// Where a k block's products go: its first block starts the C tiles at zero, the others
// from the sums the blocks before left.
enum class Start { Zero, Sums };

// Row pair r0 x column pair `pair` over k [k0, k0 + kc): four C tiles carried through the
// K loop — two A and two B tile loads, four tdpbf16ps a step — and stored after it.
void row_pair(Builder& b, const Plan& p, const Scratch& sc, llvm::Value* r0, llvm::Value* pair, llvm::Value* k0,
              llvm::Value* kc, Start start) {
  auto* a_stride = i64c(b, 2 * p.k);
  auto* c_stride = i64c(b, kSumBytes);
  auto* w = byte_ptr(b, sc.w, b.CreateMul(pair, i64c(b, p.pair_bytes)));
  Carried init;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j)
      init.push_back(start == Start::Zero ? b.CreateIntrinsic(llvm::Intrinsic::x86_tilezero_internal, {},
                                                              {i16c(b, kTileRows), i16c(b, kRowBytes)})
                                          : tile_load(b, sums_tile(b, sc, r0, pair, i, j), c_stride));
  Carried acc = emit_for_carry(
      b, i64c(b, 0), b.CreateUDiv(kc, i64c(b, kStep)), 1, init,
      [&](llvm::Value* step, const Carried& cur) {
        auto* k_bytes = b.CreateMul(b.CreateAdd(k0, b.CreateMul(step, i64c(b, kStep))), i64c(b, 2));
        std::array<llvm::Value*, 2> a, wt;
        for (int i = 0; i < 2; ++i) {
          auto* row = b.CreateAdd(r0, i64c(b, i * kTileRows));
          a[i] = tile_load(b, byte_ptr(b, sc.a, b.CreateAdd(b.CreateMul(row, a_stride), k_bytes)), a_stride);
          auto* tile = b.CreateAdd(b.CreateMul(step, i64c(b, 2)), i64c(b, i));
          wt[i] = tile_load(b, byte_ptr(b, w, b.CreateMul(tile, i64c(b, kBf16TileBytes))), i64c(b, kRowBytes));
        }
        Carried next;
        for (int i = 0; i < 2; ++i)
          for (int j = 0; j < 2; ++j)
            next.push_back(b.CreateIntrinsic(llvm::Intrinsic::x86_tdpbf16ps_internal, {},
                                             {i16c(b, kTileRows), i16c(b, kRowBytes), i16c(b, kRowBytes),
                                              cur[static_cast<size_t>(2 * i + j)], a[i], wt[j]}));
        return next;
      },
      "k");
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j)
      b.CreateIntrinsic(llvm::Intrinsic::x86_tilestored64_internal, {},
                        {i16c(b, kTileRows), i16c(b, kRowBytes), sums_tile(b, sc, r0, pair, i, j), c_stride,
                         acc[static_cast<size_t>(2 * i + j)]});
}

// One k block of the column block at nb: its `pairs` column pairs decoded, then every row
// pair of the row block through them.
void k_block(Builder& b, const LinearShape& s, const Plan& p, LinearIO& io, const Scratch& sc, llvm::Value* nb,
             llvm::Value* pairs, llvm::Value* padded, llvm::Value* k0, Start start) {
  auto* kc = min64(b, i64c(b, p.kc), b.CreateSub(i64c(b, p.k), k0));
  emit_for(
      b, i64c(b, 0), pairs, 1,
      [&](llvm::Value* pair) {
        decode_bf16_tiles(b, s, io.w(), b.CreateAdd(nb, b.CreateMul(pair, i64c(b, kPair))), k0, kc,
                          byte_ptr(b, sc.w, b.CreateMul(pair, i64c(b, p.pair_bytes))));
      },
      "decode");
  emit_for(
      b, i64c(b, 0), padded, kPair,
      [&](llvm::Value* r0) {
        emit_for(
            b, i64c(b, 0), pairs, 1, [&](llvm::Value* pair) { row_pair(b, p, sc, r0, pair, k0, kc, start); }, "cpair");
      },
      "rpair");
}

// The row block's rows x the column block's columns from the sums, through the epilogue;
// columns past the call's end are not stored.
void store_block(Builder& b, LinearIO& io, const Scratch& sc, llvm::Value* t0, llvm::Value* rows, llvm::Value* nb,
                 llvm::Value* pairs) {
  emit_for(
      b, i64c(b, 0), rows, 1,
      [&](llvm::Value* r) {
        emit_for(
            b, i64c(b, 0), b.CreateMul(pairs, i64c(b, kPair)), 8,
            [&](llvm::Value* c) {
              auto* n = b.CreateAdd(nb, c);
              auto* count = min64(b, b.CreateSub(io.col_end(), n), i64c(b, 8));
              emit_if(b, b.CreateICmpSGT(count, i64c(b, 0)), [&] {
                auto* sums = byte_ptr(b, sc.sums, b.CreateAdd(b.CreateMul(r, i64c(b, kSumBytes)), b.CreateShl(c, 2)));
                io.store_output(b.CreateAdd(t0, r), n, load_f32x(b, sums, 8), 8, count);
              });
            },
            "ocol");
      },
      "orow");
}

// The selected part's columns of the call for the row block's rows.
void part_gemm(Builder& b, const LinearShape& s, LinearIO& io, const Scratch& sc, llvm::Value* t0, llvm::Value* rows,
               llvm::Value* padded) {
  const Plan p = plan(s);
  emit_for(
      b, io.col_begin(), io.col_end(), kBlockCols,
      [&](llvm::Value* nb) {
        auto* cols = min64(b, i64c(b, kBlockCols), b.CreateSub(io.col_end(), nb));
        auto* pairs = b.CreateUDiv(round_up(b, cols, kPair), i64c(b, kPair));
        k_block(b, s, p, io, sc, nb, pairs, padded, i64c(b, 0), Start::Zero);
        if (p.kc < p.k)
          emit_for(
              b, i64c(b, p.kc), i64c(b, p.k), p.kc,
              [&](llvm::Value* k0) { k_block(b, s, p, io, sc, nb, pairs, padded, k0, Start::Sums); }, "kblk");
        store_block(b, io, sc, t0, rows, nb, pairs);
      },
      "cblk");
}

}  // namespace

void emit_linear_bf16_tiles(Builder& b, const LinearParts& s, LinearIO& io) {
  const int64_t K = s.parts.front().K, max_rows = block_rows(bf16_padded_k(K));
  const Scratch sc = thread_scratch(b, s, min64(b, i64c(b, max_rows), round_up(b, io.row_end(), kPair)));
  emit_for(
      b, io.row_begin(), io.row_end(), max_rows,
      [&](llvm::Value* t0) {
        auto* rows = min64(b, i64c(b, max_rows), b.CreateSub(io.row_end(), t0));
        auto* padded = round_up(b, rows, kPair);
        fill_input(b, K, io, sc, t0, rows, padded);
        for (size_t i = 0; i < s.parts.size(); ++i) {
          io.select(i);
          emit_if(b, b.CreateICmpSLT(io.col_begin(), io.col_end()),
                  [&] { part_gemm(b, s.parts[i], io, sc, t0, rows, padded); });
        }
      },
      "rblk");
}

}  // namespace lmc::codegen
