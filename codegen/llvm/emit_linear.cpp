// linear: y[T,N] = x[T,K] · w[N,K]ᵀ, w f32 or a block type (or parts of w's rows, each in
// its own, one after the other), as the anchor of a fusion region:
// a prologue computes x as it is loaded (a norm, act(gate)*up), an epilogue turns
// each output value into the yielded ones (bias, residual, activation). Work items
// are output columns of every row for few rows, which take the memory-bound decode
// path, and rows of every column for many rows, which take the blocked prefill path
// (codegen/linear_{decode,prefill,prefill_blocks}.cpp); q8_0x16 weights take one kernel
// on both (codegen/llvm/linear/linear_panels.cpp), its column items whole panels. With
// AMX-BF16 a long prompt's block weights take the tile GEMM (linear/bf16_tiles.h).
#include <algorithm>
#include <functional>

#include <llvm/IR/Function.h>

#include "codegen/desc_access.h"
#include "codegen/llvm/emitter.h"
#include "codegen/llvm/linear/bf16_tiles.h"
#include "codegen/llvm/linear/linear_common.h"

namespace lmc::codegen {

namespace {

// One code path per weight part, in its own decoder; a part none of the call's columns
// fall in is skipped (with one part, every call has columns).
using Path = std::function<void(const LinearShape&)>;

void each_part(Builder& b, const LinearParts& s, LinearIO& io, const Path& path) {
  for (size_t i = 0; i < s.parts.size(); ++i) {
    io.select(i);
    if (s.parts.size() == 1)
      path(s.parts[i]);
    else
      emit_if(b, b.CreateICmpSLT(io.col_begin(), io.col_end()), [&] { path(s.parts[i]); });
  }
}

void decode(Builder& b, const LinearShape& s, LinearIO& io) {
  if (s.col_unit() > 1)
    emit_linear_panels(b, s, io);
  else
    emit_linear_decode(b, s, io);
}

void vector_prefill(Builder& b, const LinearShape& s, LinearIO& io) {
  if (s.col_unit() > 1)
    emit_linear_panels(b, s, io);
  else if (ir::is_quantized(s.wtype))
    emit_linear_prefill_blocks(b, s, io);
  else
    emit_linear_prefill(b, s, io);
}

// A kernel whose prefill variant is the bf16 tile GEMM takes it from kBf16TileMinRows
// rows on, its work items the columns then (codegen/linear_shape.h); which path a row takes
// depends on T alone, never on how the work was split over the threads.
void prefill(Builder& b, const KernelDesc& d, const FusedRegion& r, const LinearParts& s, LinearIO& io) {
  Path vector = [&](const LinearShape& part) { vector_prefill(b, part, io); };
  if (!takes_bf16_tiles(d, r, s)) return each_part(b, s, io, vector);
  if (!use_amx_bf16(*b.GetInsertBlock()->getParent()))
    desc_error(d, "prefill \"bf16_tiles\" needs a target with AMX-BF16 (+amx-tile,+amx-bf16)");
  auto* tiles = b.CreateICmpSGE(io.T(), i64c(b, kBf16TileMinRows));
  emit_if(b, tiles, [&] {
    io.split_columns();
    emit_linear_bf16_tiles(b, s, io);
    io.split_rows();
  });
  emit_if(b, b.CreateNot(tiles), [&] { each_part(b, s, io, vector); });
}

void emit(llvm::Function& fn, const KernelDesc& d) {
  FusedRegion r = fused_region(d);
  LinearParts s = linear_parts(d, r);
  KernelParams p = kernel_params(fn);
  Builder b = entry_builder(fn);
  LinearIO io(b, p, r, s);

  auto* decode_bb = llvm::BasicBlock::Create(fn.getContext(), "decode", &fn);
  auto* prefill_bb = llvm::BasicBlock::Create(fn.getContext(), "prefill", &fn);
  auto* done_bb = llvm::BasicBlock::Create(fn.getContext(), "done", &fn);
  b.CreateCondBr(b.CreateICmpSLT(io.T(), i64c(b, kPrefillMinRows)), decode_bb, prefill_bb);
  b.SetInsertPoint(decode_bb);
  each_part(b, s, io, [&](const LinearShape& part) { decode(b, part, io); });
  b.CreateBr(done_bb);
  b.SetInsertPoint(prefill_bb);
  io.split_rows();
  prefill(b, d, r, s, io);
  b.CreateBr(done_bb);
  b.SetInsertPoint(done_bb);
  b.CreateRetVoid();
}

}  // namespace

void emit_linear_kernel(llvm::Function& fn, const KernelDesc& d) { emit(fn, d); }

}  // namespace lmc::codegen
