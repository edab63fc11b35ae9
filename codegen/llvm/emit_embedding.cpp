// embedding(table[V,D], ids i32[R]) -> y[R,D]: row r of y is row ids[r] of the table,
// converted to f32 from the table's dtype (f32, f16, q8_0 blocks, q8_0x16 panels: a tied
// output projection's layout, or the blocks a file stores, q4_0 ... q6_k, decoded as
// gguf-py does: d * q + m in f32, no fused multiply-add). An id outside
// [0, V) reads row V-1 instead of memory past the table. With attribute `begin` (a
// rank's share of the vocabulary) ids count from it and ids outside the share give a
// zero row. As the anchor of a fusion
// the row is then passed through the epilogue (a scale, a position embedding added)
// while it is still in L1. Work items: rows.
#include <llvm/IR/Function.h>
#include <llvm/IR/Intrinsics.h>

#include "codegen/embedding_shape.h"
#include "codegen/llvm/blocks/block_values.h"
#include "codegen/llvm/blocks/super_blocks.h"
#include "codegen/llvm/blocks/weight_blocks.h"
#include "codegen/llvm/emitter.h"
#include "codegen/llvm/region/region_io.h"

namespace lmc::codegen {

namespace {

constexpr unsigned kLanes = 8;
constexpr int64_t kQ8Block = 32;  // values per q8_0 block: f16 scale, then 32 int8

void copy_f16_row(Builder& b, llvm::Value* src, llvm::Value* dst, int64_t width) {
  int64_t whole = width / kLanes * kLanes;
  emit_for(b, i64c(b, 0), i64c(b, whole), kLanes, [&](llvm::Value* i) {
    store_f32x(b, load_f16x_as_f32x(b, elem_ptr(b, b.getHalfTy(), src, i), kLanes), f32_ptr(b, dst, i));
  });
  emit_for(b, i64c(b, whole), i64c(b, width), 1, [&](llvm::Value* i) {
    b.CreateStore(load_f16_as_f32(b, elem_ptr(b, b.getHalfTy(), src, i)), f32_ptr(b, dst, i));
  });
}

void dequantize_q8_0_row(Builder& b, llvm::Value* src, llvm::Value* dst, int64_t width) {
  int64_t block_bytes = ir::dtype_block_bytes(ir::DType::q8_0);
  emit_for(b, i64c(b, 0), i64c(b, width / kQ8Block), 1, [&](llvm::Value* k) {
    llvm::Value* block = byte_ptr(b, src, b.CreateMul(k, i64c(b, block_bytes)));
    store_f32x(b, q8_0_values(b, block), f32_ptr(b, dst, b.CreateMul(k, i64c(b, kQ8Block))));
  });
}

// A row of blocks kept from a file (q4_0 ... q6_k; a K type's super-block in its pieces of
// 32): each value as block_values.h computes it.
void dequantize_kept_row(Builder& b, ir::DType t, llvm::Value* src, llvm::Value* dst, int64_t width) {
  const int pieces = block_pieces(t);
  const int64_t block_elems = ir::dtype_block_elems(t), block_bytes = ir::dtype_block_bytes(t);
  emit_for(b, i64c(b, 0), i64c(b, width / block_elems), 1, [&](llvm::Value* k) {
    llvm::Value* block = byte_ptr(b, src, b.CreateMul(k, i64c(b, block_bytes)));
    for (int piece = 0; piece < pieces; ++piece) {
      auto* at = b.CreateAdd(b.CreateMul(k, i64c(b, block_elems)), i64c(b, kQ8Block * piece));
      store_f32x(b, kept_piece_values(b, t, block, piece), f32_ptr(b, dst, at));
    }
  });
}

// Row `row` of a q8_0x16 table: per block, its scale among the panel's and its quads.
void dequantize_panel_row(Builder& b, llvm::Value* table, llvm::Value* row, llvm::Value* dst, int64_t width) {
  constexpr unsigned kQuads = kQ8Block / 4;
  const PanelLayout at(ir::DType::q8_0x16);
  auto* rows = i64c(b, PanelLayout::kRows);
  auto* r = b.CreateURem(row, rows);
  llvm::Value* panel = at.panel(b, table, b.CreateUDiv(row, rows), width);
  emit_for(b, i64c(b, 0), i64c(b, width / kQ8Block), 1, [&](llvm::Value* k) {
    llvm::Value* block = at.block(b, panel, k);
    auto* d = load_f16_as_f32(b, at.scale(b, block, r));
    llvm::Value* quads = llvm::PoisonValue::get(i32x(b, kQuads));
    for (unsigned q = 0; q < kQuads; ++q)
      quads = b.CreateInsertElement(
          quads, b.CreateAlignedLoad(b.getInt32Ty(), at.chunk(b, block, i64c(b, q), r), llvm::Align(1)), q);
    auto* values = b.CreateSIToFP(b.CreateBitCast(quads, i8x(b, kQ8Block)), f32x(b, kQ8Block));
    store_f32x(b, b.CreateFMul(values, splat(b, kQ8Block, d)), f32_ptr(b, dst, b.CreateMul(k, i64c(b, kQ8Block))));
  });
}

// Row r of y (in place) through the region's epilogue into every yield.
void apply_epilogue(Builder& b, RegionIO& io, llvm::Value* y, llvm::Value* r, int64_t width) {
  emit_chunks(b, i64c(b, 0), i64c(b, width), kLanes, [&](llvm::Value* i, llvm::Value* count) {
    auto* v = load_f32x_n(b, f32_ptr(b, y, b.CreateAdd(b.CreateMul(r, i64c(b, width)), i)), kLanes, count);
    io.store_output(r, i, v, kLanes, count);
  });
}

void emit(llvm::Function& fn, const KernelDesc& d) {
  FusedRegion region = fused_region(d);
  EmbeddingShape s = embedding_shape(d, *region.anchor);
  KernelParams p = kernel_params(fn);
  Builder b = entry_builder(fn);
  RegionIO io(b, p, region);
  llvm::Value* table = io.arg(region.anchor->operand(0));
  llvm::Value* ids = io.arg(region.anchor->operand(1));
  llvm::Value* y = io.first_output();
  int64_t row_bytes = ir::dtype_row_bytes(s.dtype, s.width);
  emit_for(b, p.begin, p.end, 1, [&](llvm::Value* r) {
    auto* id = b.CreateSub(
        b.CreateSExt(b.CreateAlignedLoad(b.getInt32Ty(), elem_ptr(b, b.getInt32Ty(), ids, r), llvm::Align(4)),
                     b.getInt64Ty()),
        i64c(b, s.begin));
    // Negative ids are huge unsigned values, so one unsigned min bounds both ends.
    auto* row = b.CreateBinaryIntrinsic(llvm::Intrinsic::umin, id, i64c(b, s.vocab - 1));
    llvm::Value* src = byte_ptr(b, table, b.CreateMul(row, i64c(b, row_bytes)));
    llvm::Value* dst = f32_ptr(b, y, b.CreateMul(r, i64c(b, s.width)));
    switch (s.dtype) {
      case ir::DType::f32:
        b.CreateMemCpy(dst, llvm::Align(4), src, llvm::Align(4), row_bytes);
        break;
      case ir::DType::f16:
        copy_f16_row(b, src, dst, s.width);
        break;
      case ir::DType::q8_0x16:
        dequantize_panel_row(b, table, row, dst, s.width);
        break;
      case ir::DType::q8_0:
        dequantize_q8_0_row(b, src, dst, s.width);
        break;
      default:
        dequantize_kept_row(b, s.dtype, src, dst, s.width);
        break;
    }
    // Another rank holds this id's row: this rank's part of the sum is zero.
    if (s.share)
      emit_if(b, b.CreateICmpUGE(id, i64c(b, s.vocab)),
              [&] { b.CreateMemSet(dst, b.getInt8(0), s.width * 4, llvm::Align(4)); });
    if (!region.plain_output) apply_epilogue(b, io, y, r, s.width);
  });
  b.CreateRetVoid();
}

}  // namespace

void emit_embedding_kernel(llvm::Function& fn, const KernelDesc& d) { emit(fn, d); }

}  // namespace lmc::codegen
