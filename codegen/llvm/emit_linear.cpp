// linear: y[T,N] = x[T,K] · w[N,K]ᵀ, w f32 or a block type (or parts of w's rows, each in
// its own, one after the other), as the anchor of a fusion region:
// a prologue computes x as it is loaded (a norm, act(gate)*up), an epilogue turns
// each output value into the yielded ones (bias, residual, activation). Work items
// are output columns of every row for few rows, which take the memory-bound decode
// path, and rows of every column for many rows, which take the blocked prefill path
// (codegen/linear_{decode,prefill,prefill_blocks}.cpp); q8_0x16 weights take one kernel
// on both (codegen/llvm/linear/linear_panels.cpp), its column items whole panels. Which
// prefill kernel the rows take — the vector kernels, the int8 tiles or the bf16 tile GEMM
// (linear/bf16_tiles.h) — is the op's `prefill` attribute or the target's default
// (codegen/prefill_choice.h).
#include <functional>

#include <llvm/IR/Function.h>

#include "codegen/llvm/emitter.h"
#include "codegen/llvm/linear/bf16_tiles.h"
#include "codegen/llvm/linear/linear_common.h"
#include "codegen/prefill_choice.h"

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
    emit_linear_panels(b, s, io, false);
  else
    emit_linear_decode(b, s, io);
}

// The vector kernels; x16 panels on the int8 tiles when `int8_tiles`.
void vector_prefill(Builder& b, const LinearShape& s, LinearIO& io, bool int8_tiles) {
  if (s.col_unit() > 1)
    emit_linear_panels(b, s, io, int8_tiles);
  else if (ir::is_quantized(s.wtype))
    emit_linear_prefill_blocks(b, s, io);
  else
    emit_linear_prefill(b, s, io);
}

// The kernel this linear's prefill takes (codegen/prefill_choice.h): its attribute's, or
// the target's default.
ir::PrefillKernel prefill_kernel(const llvm::Function& fn, const FusedRegion& r, const LinearParts& s) {
  std::vector<ir::DType> parts;
  for (const LinearShape& part : s.parts) parts.push_back(part.wtype);
  return linear_prefill_kernel(ir::prefill_kernel(*r.anchor), parts, target_features_of(fn));
}

// On the bf16 tiles a prompt of kBf16TileMinRows rows or more takes the tile GEMM, its work
// items the columns then (codegen/linear_shape.h), and a shorter one the vector kernels;
// which path a row takes depends on T alone, never on how the work was split over the threads.
void prefill(Builder& b, const LinearParts& s, LinearIO& io, ir::PrefillKernel kernel) {
  Path vector = [&](const LinearShape& part) { vector_prefill(b, part, io, kernel == ir::PrefillKernel::Int8Tiles); };
  if (kernel != ir::PrefillKernel::Bf16Tiles) return each_part(b, s, io, vector);
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
  prefill(b, s, io, prefill_kernel(fn, r, s));
  b.CreateBr(done_bb);
  b.SetInsertPoint(done_bb);
  b.CreateRetVoid();
}

}  // namespace

void emit_linear_kernel(llvm::Function& fn, const KernelDesc& d) { emit(fn, d); }

}  // namespace lmc::codegen
