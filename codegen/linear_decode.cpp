// Decode path of linear (few rows): memory-bound, so the weights are streamed once
// per group of rows, several output columns at a time for memory-level parallelism.
// Block weights (q8_0, and q4_0/q4_1/q5_0/q5_1 kept from a file) use integer dot products: the input rows are
// quantized to q8 blocks (one f32 scale per 32 values, and the block's sum for the q4
// offsets) into stack scratch, and each block pair is multiplied with AVX2 byte
// madds, then scaled by both block scales in f32.
#include <llvm/IR/IntrinsicsX86.h>

#include <optional>

#include "codegen/linear_common.h"
#include "codegen/quantized_rows.h"
#include "codegen/weight_blocks.h"

namespace lmc::codegen {

namespace {

// Rows prepared together, and swept together under each column tile so the
// weights are read from memory once. Every decode call fits one group, except
// f32 weights with a prologue, whose f32 scratch rows are 4x larger.
constexpr int64_t kRowGroup = kDecodeMaxRows;
constexpr int64_t kActRowGroup = 4;
constexpr int kCols = 4;          // output columns per iteration (independent streams)
constexpr int kRowTile = 4;       // rows sharing each weight block's decoding
constexpr int64_t kBlock = 32;    // input q8 block, as every weight block format's
// Weights are prefetched into L2 this many bytes (rounded up to whole rows) ahead
// of the rows being read: with only kCols short rows in flight the hardware
// prefetchers leave DRAM bandwidth unused (~65% -> ~85% of a read probe).
constexpr int64_t kPrefetchBytes = 16384;

llvm::Type* i8x32(Builder& b) { return llvm::FixedVectorType::get(b.getInt8Ty(), 32); }

// Σ x·w over one block pair as 8 partial i32 sums. The byte madds want one unsigned
// operand: the weight block's `u`, with its signs (q8_0) moved onto x.
llvm::Value* block_dot_i32(Builder& b, llvm::Value* xq, const WeightBlock& w, bool vnni) {
  auto* sx = w.sign ? b.CreateIntrinsic(llvm::Intrinsic::x86_avx2_psign_b, {}, {xq, w.sign}) : xq;
  return byte_dot_i32(b, nullptr, w.u, sx, vnni);
}

int64_t prefetch_distance(const LinearShape& s) {
  return (kPrefetchBytes / s.w_row_bytes() + 1) * s.w_row_bytes();
}

// prefetcht1 of p + distance; a plain (not inbounds) address, since it may point
// past the weights near the end, which a prefetch tolerates.
void prefetch_ahead(Builder& b, llvm::Value* p, int64_t distance) {
  auto* at = b.CreateGEP(b.getInt8Ty(), p, i64c(b, distance));
  b.CreateIntrinsic(llvm::Intrinsic::prefetch, {b.getPtrTy()}, {at, b.getInt32(0), b.getInt32(2), b.getInt32(1)});
}

struct Scratch {
  std::optional<QuantizedRows> xq;  // the input rows, quantized (block weights)
  llvm::Value* xa = nullptr;        // f32 [kActRowGroup * K] input rows through the prologue (f32 weights)
};

// Columns n .. n+C-1 of `rows` (a power of two up to kRowTile) consecutive rows from r of the current
// group, block weights: accumulators [row][column], flattened. The rows share each
// weight block's decoding; each row's sums run over the blocks in the same order
// whatever the rows beside it, so its result does not depend on them.
std::vector<llvm::Value*> dot_blocks(Builder& b, const LinearShape& s, const Scratch& sc,
                                     const std::vector<llvm::Value*>& wrows, llvm::Value* r, int rows) {
  const QuantizedRows& in = *sc.xq;
  int64_t block_bytes = ir::dtype_block_bytes(s.wtype);
  bool vnni = use_vnni(*b.GetInsertBlock()->getParent());
  auto* zero = splat_f32(b, 8, 0.0f);
  Carried init(wrows.size() * static_cast<size_t>(rows), zero);
  return emit_for_carry(b, i64c(b, 0), i64c(b, in.blocks()), 1, init, [&](llvm::Value* blk, const Carried& acc) {
    std::vector<llvm::Value*> xq, dx, sx;
    for (int j = 0; j < rows; ++j) {
      auto* slot = b.CreateAdd(r, i64c(b, j));
      xq.push_back(b.CreateAlignedLoad(i8x32(b), in.quants(b, slot, b.CreateMul(blk, i64c(b, kBlock))),
                                       llvm::Align(32)));
      // Broadcast loads: they cost a load port, not a vector ALU port.
      dx.push_back(splat(b, 8, in.scale(b, slot, blk)));
      // Spread over the 8 lanes each accumulator sums at the end (/8 is exact).
      if (in.has_sums()) sx.push_back(splat(b, 8, b.CreateFMul(in.sum(b, slot, blk), f32c(b, 0.125f))));
    }
    auto* off = b.CreateMul(blk, i64c(b, block_bytes));
    Carried next(acc.size());
    for (size_t c = 0; c < wrows.size(); ++c) {
      auto* blockp = byte_ptr(b, wrows[c], off);
      prefetch_ahead(b, blockp, prefetch_distance(s));
      WeightBlock w = load_weight_block(b, s.wtype, blockp);
      for (int j = 0; j < rows; ++j) {
        size_t at = static_cast<size_t>(j) * wrows.size() + c;
        auto* dot = b.CreateSIToFP(block_dot_i32(b, xq[j], w, vnni), f32x(b, 8));
        next[at] = fma(b, dot, b.CreateFMul(w.d, dx[j]), acc[at]);
        if (w.m) next[at] = fma(b, w.m, sx[j], next[at]);
      }
    }
    return next;
  }, "blk");
}

// Columns n .. n+C-1 of one input row, f32 weights.
std::vector<llvm::Value*> dot_f32(Builder& b, const LinearShape& s, llvm::Value* xrow,
                                  const std::vector<llvm::Value*>& wrows) {
  int64_t k8 = s.K / 8 * 8;
  auto* zero = splat_f32(b, 8, 0.0f);
  Carried acc = emit_for_carry(b, i64c(b, 0), i64c(b, k8), 8, Carried(wrows.size(), zero),
                               [&](llvm::Value* k, const Carried& cur) {
    auto* xv = load_f32x(b, f32_ptr(b, xrow, k), 8);
    Carried next;
    for (size_t c = 0; c < wrows.size(); ++c) {
      auto* wp = f32_ptr(b, wrows[c], k);
      prefetch_ahead(b, wp, prefetch_distance(s));
      next.push_back(fma(b, xv, load_f32x(b, wp, 8), cur[c]));
    }
    return next;
  }, "k");
  if (s.K % 8) {
    auto* rest = i64c(b, s.K % 8);
    auto* xv = masked_load_f32x(b, f32_ptr(b, xrow, i64c(b, k8)), 8, rest);
    for (size_t c = 0; c < wrows.size(); ++c)
      acc[c] = fma(b, xv, masked_load_f32x(b, f32_ptr(b, wrows[c], i64c(b, k8)), 8, rest), acc[c]);
  }
  return acc;
}

// Stores the block sums of `rows` rows from r (dot_blocks' layout) to columns n...
void store_blocks(Builder& b, LinearIO& io, llvm::Value* g0, llvm::Value* r, llvm::Value* n, int rows, int cols,
              const std::vector<llvm::Value*>& acc) {
  for (int j = 0; j < rows; ++j)
    for (int c = 0; c < cols; ++c)
      io.store_output(b.CreateAdd(g0, b.CreateAdd(r, i64c(b, j))), b.CreateAdd(n, i64c(b, c)),
                      hsum(b, acc[static_cast<size_t>(j * cols + c)]), 1);
}

// Output columns [from, to) in steps of `cols` for the rows of the current group.
void column_loop(Builder& b, const LinearShape& s, LinearIO& io, const Scratch& sc, llvm::Value* g0,
                 llvm::Value* rows, llvm::Value* from, llvm::Value* to, int cols) {
  emit_for(b, from, to, cols, [&](llvm::Value* n) {
    std::vector<llvm::Value*> wrows;
    for (int c = 0; c < cols; ++c) wrows.push_back(io.weight_row(b.CreateAdd(n, i64c(b, c))));
    if (sc.xq) {
      // Rows in tiles of kRowTile sharing each weight block's decoding, then halving
      // tiles for the rest (4 + 2 + 1 for 7 rows).
      llvm::Value* done = i64c(b, 0);
      for (int tile = kRowTile; tile >= 1; tile /= 2) {
        auto* end = b.CreateAdd(done, b.CreateAnd(b.CreateSub(rows, done), i64c(b, ~int64_t{tile - 1})));
        emit_for(b, done, end, tile, [&](llvm::Value* r) {
          store_blocks(b, io, g0, r, n, tile, cols, dot_blocks(b, s, sc, wrows, r, tile));
        }, "rtile");
        done = end;
      }
      return;
    }
    emit_for(b, i64c(b, 0), rows, 1, [&](llvm::Value* r) {
      auto* t = b.CreateAdd(g0, r);
      auto* xrow = sc.xa ? f32_ptr(b, sc.xa, b.CreateMul(r, i64c(b, s.K)))
                         : f32_ptr(b, io.x(), b.CreateMul(t, i64c(b, s.K)));
      std::vector<llvm::Value*> acc = dot_f32(b, s, xrow, wrows);
      for (int c = 0; c < cols; ++c) io.store_output(t, b.CreateAdd(n, i64c(b, c)), hsum(b, acc[c]), 1);
    }, "r");
  }, cols > 1 ? "n" : "ntail");
}

// The group's input rows through the prologue into scratch, for f32 weights.
void prologue_rows(Builder& b, const LinearShape& s, LinearIO& io, const Scratch& sc, llvm::Value* g0,
                   llvm::Value* rows) {
  int64_t k8 = s.K / 8 * 8;
  emit_for(b, i64c(b, 0), rows, 1, [&](llvm::Value* r) {
    auto* t = b.CreateAdd(g0, r);
    auto* dst = f32_ptr(b, sc.xa, b.CreateMul(r, i64c(b, s.K)));
    emit_for(b, i64c(b, 0), i64c(b, k8), 8, [&](llvm::Value* k) {
      store_f32x(b, io.load_input(t, k, 8), f32_ptr(b, dst, k));
    }, "ak");
    if (s.K % 8) {
      auto* rest = i64c(b, s.K % 8);
      masked_store_f32x(b, io.load_input(t, i64c(b, k8), 8, rest), f32_ptr(b, dst, i64c(b, k8)), rest);
    }
  }, "ar");
}

}  // namespace

void emit_linear_decode(Builder& b, const LinearShape& s, LinearIO& io) {
  Scratch sc;
  if (ir::is_quantized(s.wtype)) {
    sc.xq.emplace(b, kRowGroup, s.K, s.wtype != ir::DType::q8_0);
  } else if (!io.plain_input()) {
    sc.xa = stack_array(b, b.getFloatTy(), kActRowGroup * s.K);
  }
  int64_t group = sc.xa ? kActRowGroup : kRowGroup;
  auto* main_end = round_down(b, io.col_begin(), io.col_end(), kCols);
  emit_for(b, i64c(b, 0), io.T(), group, [&](llvm::Value* g0) {
    auto* left = b.CreateSub(io.T(), g0);
    auto* rows = b.CreateSelect(b.CreateICmpSLT(left, i64c(b, group)), left, i64c(b, group));
    if (!io.plain_input()) io.prepare_rows(g0, rows);
    if (sc.xq) sc.xq->fill(b, io, g0, rows);
    if (sc.xa) prologue_rows(b, s, io, sc, g0, rows);
    column_loop(b, s, io, sc, g0, rows, io.col_begin(), main_end, kCols);
    column_loop(b, s, io, sc, g0, rows, main_end, io.col_end(), 1);
  }, "g");
}

}  // namespace lmc::codegen
