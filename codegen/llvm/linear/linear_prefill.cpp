// Prefill path of linear (many rows) for f32 weights: compute-bound, so it is blocked
// like a GEMM (block weights take the int8 GEMM, codegen/llvm/linear/linear_prefill_blocks.cpp).
// K is split into even blocks of at most kMaxKc. For each block and each panel of kNc
// output columns, register tiles of kMr rows x kNc columns accumulate 8-wide partial
// dot products along k with FMAs, and each tile is reduced horizontally into the
// output once per block. Weights and inputs both keep their natural row-major layout,
// so nothing is transposed. The input rows are copied per kPanelRows x kc block into a
// contiguous panel that stays in L2 while every column panel sweeps it (in place, rows
// K apart, they thrash); a fused prologue is computed in that copy, once per input
// value. Partial sums over the k blocks live in the first yield; the epilogue runs
// once, after the last block: over each strip of kStripCols columns as they are done
// when the first yield can hold the sums, else on each tile's registers.
#include <llvm/IR/Function.h>

#include "codegen/llvm/linear/linear_common.h"

namespace lmc::codegen {

namespace {

constexpr int64_t kMaxKc = 512;   // k per block at most: the kNc weight rows' part (8 KiB) stays in L1
constexpr int kNc = 4;            // columns per register tile
constexpr int kMr = 3;            // rows per register tile: 12 accumulators
constexpr int64_t kPanelRows = kMaxPreparedRows;  // rows per input panel (<= 192 KiB of stack)
// Columns whose sums a deferred epilogue (LinearIO::defers_epilogue) takes at once, after
// the last k block: kPanelRows of them are 24 KiB, still in L1 and L2 when it reads them.
constexpr int64_t kStripCols = 64;

// K split into equal blocks of at most kMaxKc (a multiple of 32): the output tile
// is updated once per block, so fewer, even blocks beat a short last one.
int64_t block_k(const LinearShape& s) {
  int64_t blocks = (s.K + kMaxKc - 1) / kMaxKc;
  int64_t kc = (s.K + blocks - 1) / blocks;
  return (kc + 31) / 32 * 32;
}

struct Panel {
  int64_t kc;       // k per block
  llvm::Value* xa;  // f32 [kPanelRows * kc] input rows (activated), kc apart
};

// The kNc weight rows of panel n0 from k0. Columns past `end` repeat the last valid
// one: they are computed but never stored.
std::vector<llvm::Value*> panel_columns(Builder& b, LinearIO& io, llvm::Value* n0, llvm::Value* k0) {
  auto* last = b.CreateSub(io.col_end(), i64c(b, 1));
  std::vector<llvm::Value*> cols;
  for (int c = 0; c < kNc; ++c)
    cols.push_back(f32_ptr(b, io.weight_row(min64(b, b.CreateAdd(n0, i64c(b, c)), last)), k0));
  return cols;
}

// xa[r][k] = input[t0 + r, k0 + k] (through the prologue) for r < tb, k < kc.
void pack_input(Builder& b, LinearIO& io, const Panel& p, llvm::Value* t0, llvm::Value* tb, llvm::Value* k0,
                llvm::Value* kc) {
  auto* kc8 = b.CreateAnd(kc, i64c(b, ~int64_t{7}));
  emit_for(
      b, i64c(b, 0), tb, 1,
      [&](llvm::Value* r) {
        auto* t = b.CreateAdd(t0, r);
        auto* dst = f32_ptr(b, p.xa, b.CreateMul(r, i64c(b, p.kc)));
        emit_for(
            b, i64c(b, 0), kc8, 8,
            [&](llvm::Value* k) { store_f32x(b, io.load_input(t, b.CreateAdd(k0, k), 8), f32_ptr(b, dst, k)); }, "ak");
        auto* rest = b.CreateSub(kc, kc8);
        emit_if(b, b.CreateICmpSGT(rest, i64c(b, 0)), [&] {
          masked_store_f32x(b, io.load_input(t, b.CreateAdd(k0, kc8), 8, rest), f32_ptr(b, dst, kc8), rest);
        });
      },
      "ar");
}

struct Tile {
  llvm::Value* a;         // &input[t0 + t, k0] ...
  llvm::Value* a_stride;  // ... and the distance between input rows, in floats
  llvm::Value* t;         // the tile's first row
  llvm::Value* n0;        // its first column
  llvm::Value* yrow0;     // &acc[t, n0]: the partial sums
  llvm::Value* first;     // i1: k0 == 0: start from 0 instead of the partial sums
  llvm::Value* last;      // i1: the last k block: apply the epilogue
  llvm::Value* nc;        // valid columns of the panel (1..kNc)
  llvm::Value* kc;
  std::vector<llvm::Value*> cols;  // kNc weight pointers at k0
};

// One 8-wide step of the tile at column k; `count` < 8 masks a ragged end.
Carried tile_step(Builder& b, const Tile& tile, const std::vector<llvm::Value*>& arow, llvm::Value* k,
                  const Carried& cur, llvm::Value* count) {
  auto load = [&](llvm::Value* base) {
    auto* ptr = f32_ptr(b, base, k);
    return count ? masked_load_f32x(b, ptr, 8, count) : load_f32x(b, ptr, 8);
  };
  std::vector<llvm::Value*> xv;
  for (auto* a : arow) xv.push_back(load(a));
  Carried next(cur.size());
  for (int c = 0; c < kNc; ++c) {
    auto* wv = load(tile.cols[c]);
    for (size_t r = 0; r < arow.size(); ++r) next[r * kNc + c] = fma(b, xv[r], wv, cur[r * kNc + c]);
  }
  return next;
}

// Asks for the tile's output rows (with intent to write) before the k loop: with
// many columns the rows of a block fall out of L2 between k blocks, and the
// read-modify-write after the loop would otherwise wait on L3 (~10% at N=6912).
void prefetch_output(Builder& b, const LinearIO& io, const Tile& tile, int R) {
  for (int r = 0; r < R; ++r)
    b.CreateIntrinsic(
        llvm::Intrinsic::prefetch, {b.getPtrTy()},
        {f32_ptr(b, tile.yrow0, i64c(b, r * io.acc_stride())), b.getInt32(1), b.getInt32(3), b.getInt32(1)});
}

// y[R rows, kNc cols] (+)= input[R rows, kc] · weights[kNc cols, kc]ᵀ.
void micro_tile(Builder& b, const LinearShape& s, LinearIO& io, const Tile& tile, int R) {
  prefetch_output(b, io, tile, R);
  std::vector<llvm::Value*> arow;
  for (int r = 0; r < R; ++r) arow.push_back(f32_ptr(b, tile.a, b.CreateMul(i64c(b, r), tile.a_stride)));
  auto* kc8 = b.CreateAnd(tile.kc, i64c(b, ~int64_t{7}));
  Carried acc(R * kNc, splat_f32(b, 8, 0.0f));
  acc = emit_for_carry(
      b, i64c(b, 0), kc8, 8, acc,
      [&](llvm::Value* k, const Carried& cur) { return tile_step(b, tile, arow, k, cur, nullptr); }, "mk");
  if (s.K % 8) acc = tile_step(b, tile, arow, kc8, acc, b.CreateSub(tile.kc, kc8));
  for (int r = 0; r < R; ++r) {
    auto* sum = hsum4(b, &acc[r * kNc]);
    auto* yp = f32_ptr(b, tile.yrow0, i64c(b, r * io.acc_stride()));
    auto* prior =
        b.CreateSelect(tile.first, llvm::Constant::getNullValue(f32x(b, 4)), masked_load_f32x(b, yp, 4, tile.nc));
    auto* v = b.CreateFAdd(prior, sum);
    if (io.plain_output() || io.defers_epilogue()) {
      masked_store_f32x(b, v, yp, tile.nc);
      continue;
    }
    // With an epilogue the last block's sums go only through it (a partial-sum store
    // there would be overwritten at once): no lanes stored then.
    masked_store_f32x(b, v, yp, b.CreateSelect(tile.last, i64c(b, 0), tile.nc));
    emit_if(b, tile.last, [&] { io.store_output(b.CreateAdd(tile.t, i64c(b, r)), tile.n0, v, 4, tile.nc); });
  }
}

// Rows [0, tb) of the block in tiles of kMr rows, then the 1..kMr-1 left over.
void row_tiles(Builder& b, const LinearShape& s, LinearIO& io, const Tile& base, llvm::Value* tb) {
  emit_tiles(
      b, tb, kMr,
      [&](llvm::Value* t, int R) {
        Tile tile = base;
        tile.a = f32_ptr(b, base.a, b.CreateMul(t, base.a_stride));
        tile.t = b.CreateAdd(base.t, t);
        tile.yrow0 = f32_ptr(b, base.yrow0, b.CreateMul(t, i64c(b, io.acc_stride())));
        micro_tile(b, s, io, tile, R);
      },
      "t");
}

// All output columns of rows [t0, t0+tb).
void row_block(Builder& b, const LinearShape& s, LinearIO& io, const Panel& p, llvm::Value* t0, llvm::Value* tb) {
  if (!io.plain_input()) io.prepare_rows(t0, tb);
  emit_for(
      b, i64c(b, 0), i64c(b, s.K), p.kc,
      [&](llvm::Value* k0) {
        Tile base{};
        base.kc = min64(b, i64c(b, p.kc), b.CreateSub(i64c(b, s.K), k0));
        base.first = b.CreateICmpEQ(k0, i64c(b, 0));
        base.last = b.CreateICmpEQ(b.CreateAdd(k0, base.kc), i64c(b, s.K));
        base.t = t0;
        pack_input(b, io, p, t0, tb, k0, base.kc);
        base.a = p.xa;
        base.a_stride = i64c(b, p.kc);
        emit_for(
            b, io.col_begin(), io.col_end(), kStripCols,
            [&](llvm::Value* strip) {
              auto* strip_end = min64(b, b.CreateAdd(strip, i64c(b, kStripCols)), io.col_end());
              emit_for(
                  b, strip, strip_end, kNc,
                  [&](llvm::Value* n0) {
                    Tile tile = base;
                    tile.n0 = n0;
                    tile.nc = min64(b, i64c(b, kNc), b.CreateSub(io.col_end(), n0));
                    tile.cols = panel_columns(b, io, n0, k0);
                    tile.yrow0 = io.acc_at(t0, n0);
                    row_tiles(b, s, io, tile, tb);
                  },
                  "n0");
              if (io.defers_epilogue()) emit_if(b, base.last, [&] { io.finish_outputs(t0, tb, strip, strip_end); });
            },
            "strip");
      },
      "k0");
}

}  // namespace

void emit_linear_prefill(Builder& b, const LinearShape& s, LinearIO& io) {
  Panel p{};
  p.kc = block_k(s);
  p.xa = stack_array(b, b.getFloatTy(), kPanelRows * p.kc);
  emit_for(
      b, io.row_begin(), io.row_end(), kPanelRows,
      [&](llvm::Value* t0) {
        row_block(b, s, io, p, t0, min64(b, i64c(b, kPanelRows), b.CreateSub(io.row_end(), t0)));
      },
      "tb");
}

}  // namespace lmc::codegen
