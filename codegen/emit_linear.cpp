// linear: y[T,N] = x[T,K] · w[N,K]ᵀ, w f32 or a block type, as the anchor of a fusion region:
// a prologue computes x as it is loaded (a norm, act(gate)*up), an epilogue turns
// each output value into the yielded ones (bias, residual, activation). Work items
// are output columns of every row for few rows, which take the memory-bound decode
// path, and rows of every column for many rows, which take the blocked prefill path
// (codegen/linear_{decode,prefill,prefill_blocks}.cpp); q8_0x16 weights take one kernel
// on both (codegen/linear_panels.cpp), its column items whole panels.
#include <llvm/IR/Function.h>

#include "codegen/emitter.h"
#include "codegen/linear_common.h"

namespace lmc::codegen {

namespace {

void emit(llvm::Function& fn, const KernelDesc& d) {
  FusedRegion r = fused_region(d);
  LinearShape s = linear_shape(d, r);
  KernelParams p = kernel_params(fn);
  Builder b = entry_builder(fn);
  LinearIO io(b, p, r, s);

  auto* decode_bb = llvm::BasicBlock::Create(fn.getContext(), "decode", &fn);
  auto* prefill_bb = llvm::BasicBlock::Create(fn.getContext(), "prefill", &fn);
  auto* done_bb = llvm::BasicBlock::Create(fn.getContext(), "done", &fn);
  b.CreateCondBr(b.CreateICmpSLT(io.T(), i64c(b, kPrefillMinRows)), decode_bb, prefill_bb);
  bool panels = s.col_unit() > 1;
  b.SetInsertPoint(decode_bb);
  if (panels) emit_linear_panels(b, s, io);
  else emit_linear_decode(b, s, io);
  b.CreateBr(done_bb);
  b.SetInsertPoint(prefill_bb);
  io.split_rows();
  if (panels) emit_linear_panels(b, s, io);
  else if (ir::is_quantized(s.wtype)) emit_linear_prefill_blocks(b, s, io);
  else emit_linear_prefill(b, s, io);
  b.CreateBr(done_bb);
  b.SetInsertPoint(done_bb);
  b.CreateRetVoid();
}

}  // namespace

extern const Emitter kEmitLinear{"linear", emit};

}  // namespace lmc::codegen
