// linear on q8_0x16 weights (q8_0 stored in 16-row panels, ir/dtype.h), at every row
// count: one int8 kernel for decode and prefill.
//
// A panel holds, per block of 32 k, its 16 columns' f16 scales and then eight quads of
// 4 consecutive k, each quad 16 columns x 4 bytes: one 32-byte load is 4 k of 8 output
// columns. A register tile of up to kTileRows input rows broadcasts a row's quad of
// input bytes against it, and each column's dot product grows in its own i32 lane (the
// byte madds take |w| and move w's sign onto the input byte, psignb). After each block
// the exact i32 sums are scaled by the column's and the row's block scales into f32 —
// the order of the row-major q8_0 paths (linear_decode.cpp, linear_prefill_blocks.cpp),
// so a row's output has the same bits on either layout, at any row count and thread
// count (test_linear_kernel).
//
// The weights are read as they are stored: no per-call repacking, no horizontal sums.
// Few rows (decode, split by panels over the threads) stream each panel once for all
// rows; many rows (prefill, split by rows) take them in blocks whose int8 copy stays in
// L2, and sweep every panel per block.
#include <array>

#include <llvm/IR/Function.h>
#include <llvm/IR/IntrinsicsX86.h>

#include "codegen/int8_tile.h"
#include "codegen/linear_common.h"
#include "codegen/quantized_rows.h"
#include "codegen/weight_blocks.h"

namespace lmc::codegen {

namespace {

using namespace int8_tile;

// Weights are prefetched into L2 at least this far ahead (whole panels): with few rows
// the hardware prefetchers alone leave DRAM bandwidth unused.
constexpr int64_t kPrefetchBytes = 16384;

static_assert(kPanelCols == panel_layout::kRows, "a register tile spans one panel's columns");

struct Panel {
  llvm::Value* base;    // the panel's first byte
  int64_t blocks;       // K / 32
  int64_t prefetch;     // bytes ahead to prefetch (whole panels)

  llvm::Value* quad(Builder& b, llvm::Value* blk, llvm::Value* q, int g) const {
    return panel_layout::quad(b, panel_layout::block(b, base, blk), q, i64c(b, 8 * g));
  }
  // The block's scales of columns 8g .. 8g + 7, as f32.
  llvm::Value* scales(Builder& b, llvm::Value* blk, int g) const {
    return load_f16x_as_f32x(b, panel_layout::scale(b, panel_layout::block(b, base, blk), i64c(b, 8 * g)), 8);
  }
};

// The i32 dot products of one block of 32 k for `rows` rows: [row][group] lanes per
// column. A rolled loop over the quads: unrolled, LLVM reassociates the sums across
// quads and keeps every quad's weights live at once, which spills.
Carried block_sums(Builder& b, const QuantizedRows& in, const Panel& p, const std::vector<llvm::Value*>& slots,
                   llvm::Value* blk, bool vnni) {
  Carried zero(slots.size() * kGroups, llvm::Constant::getNullValue(i32x(b, 8)));
  return emit_rolled_for_carry(b, i64c(b, 0), i64c(b, kQuads), 1, zero, [&](llvm::Value* q, const Carried& cur) {
    std::array<llvm::Value*, kGroups> w, u;
    for (int g = 0; g < kGroups; ++g) {
      llvm::Value* at = p.quad(b, blk, q, g);
      if (g == 0) prefetch_ahead(b, at, p.prefetch);
      w[g] = b.CreateAlignedLoad(i8x(b, 32), at, llvm::Align(1));
      u[g] = b.CreateBinaryIntrinsic(llvm::Intrinsic::abs, w[g], b.getFalse());
    }
    auto* k = b.CreateAdd(b.CreateMul(blk, i64c(b, kBlock)), b.CreateMul(q, i64c(b, 4)));
    Carried next(cur.size());
    for (size_t r = 0; r < slots.size(); ++r) {
      auto* bytes = b.CreateAlignedLoad(b.getInt32Ty(), in.quants(b, slots[r], k), llvm::Align(4));
      auto* x = b.CreateBitCast(splat(b, 8, bytes), i8x(b, 32));
      for (int g = 0; g < kGroups; ++g) {
        auto* sx = b.CreateIntrinsic(llvm::Intrinsic::x86_avx2_psign_b, {}, {x, w[g]});
        size_t at = r * kGroups + static_cast<size_t>(g);
        next[at] = byte_dot_i32(b, cur[at], u[g], sx, vnni);
      }
    }
    return next;
  }, "quad");
}

// The f32 sums over all blocks of `rows` rows x the panel's 16 columns: [row][group].
Carried tile_sums(Builder& b, const QuantizedRows& in, const Panel& p, const std::vector<llvm::Value*>& slots) {
  bool vnni = use_vnni(*b.GetInsertBlock()->getParent());
  Carried init(slots.size() * kGroups, splat_f32(b, 8, 0.0f));
  return emit_for_carry(b, i64c(b, 0), i64c(b, p.blocks), 1, init, [&](llvm::Value* blk, const Carried& cur) {
    Carried sums = block_sums(b, in, p, slots, blk, vnni);
    Carried next(cur.size());
    for (int g = 0; g < kGroups; ++g) {
      auto* dw = p.scales(b, blk, g);
      for (size_t r = 0; r < slots.size(); ++r) {
        size_t at = r * kGroups + static_cast<size_t>(g);
        auto* scale = b.CreateFMul(dw, splat(b, 8, in.scale(b, slots[r], blk)));
        next[at] = fma(b, b.CreateSIToFP(sums[at], f32x(b, 8)), scale, cur[at]);
      }
    }
    return next;
  }, "blk");
}

// Rows [slot0, slot0 + tile) of the row block (input rows t0 + slot) x the panel at
// column n0, through the epilogue.
void tile(Builder& b, LinearIO& io, const QuantizedRows& in, const Panel& p, llvm::Value* t0, llvm::Value* slot0,
          int tile_rows, llvm::Value* n0) {
  std::vector<llvm::Value*> slots;
  for (int r = 0; r < tile_rows; ++r) slots.push_back(b.CreateAdd(slot0, i64c(b, r)));
  Carried sums = tile_sums(b, in, p, slots);
  for (size_t r = 0; r < slots.size(); ++r)
    for (int g = 0; g < kGroups; ++g)
      io.store_output(b.CreateAdd(t0, slots[r]), b.CreateAdd(n0, i64c(b, 8 * g)), sums[r * kGroups + static_cast<size_t>(g)], 8);
}

// Input rows [t0, t0 + rows) x the call's panels: tiles of kTileRows rows, then halving
// tiles for the rest (4 + 2 + 1 for 7 rows), so no row is computed twice.
void row_block(Builder& b, const LinearShape& s, LinearIO& io, const QuantizedRows& in, llvm::Value* t0,
               llvm::Value* rows) {
  if (!io.plain_input()) io.prepare_rows(t0, rows);
  in.fill(b, io, t0, rows);
  const int64_t panel_bytes = s.K / kBlock * panel_layout::kBlockBytes;
  emit_for(b, io.col_begin(), io.col_end(), kPanelCols, [&](llvm::Value* n0) {
    Panel p{panel_layout::panel(b, io.w(), b.CreateUDiv(n0, i64c(b, kPanelCols)), s.K), s.K / kBlock, (kPrefetchBytes + panel_bytes - 1) / panel_bytes * panel_bytes};
    llvm::Value* done = i64c(b, 0);
    for (int t = kTileRows; t >= 1; t /= 2) {
      auto* end = b.CreateAdd(done, b.CreateAnd(b.CreateSub(rows, done), i64c(b, ~int64_t{t - 1})));
      emit_for(b, done, end, t, [&](llvm::Value* slot0) { tile(b, io, in, p, t0, slot0, t, n0); }, "rtile");
      done = end;
    }
  }, "panel");
}

}  // namespace

void emit_linear_panels(Builder& b, const LinearShape& s, LinearIO& io) {
  const int64_t rows = rows_per_block(s);
  QuantizedRows in(b, rows, s.K, false);
  emit_for(b, io.row_begin(), io.row_end(), rows, [&](llvm::Value* t0) {
    row_block(b, s, io, in, t0, min64(b, i64c(b, rows), b.CreateSub(io.row_end(), t0)));
  }, "tb");
}

}  // namespace lmc::codegen
