// linear: y[T,N] = x[T,K] · w[N,K]ᵀ (+ bias) (+ residual), w f32 or q8_0, with the
// optional fused input activation. Work items are output columns; each call
// computes columns [begin, end) of every row. Few rows take the memory-bound decode
// path, many rows the blocked prefill path (codegen/linear_{decode,prefill}.cpp).
#include <llvm/IR/Function.h>

#include "codegen/emitter.h"
#include "codegen/linear_common.h"

namespace lmc::codegen {

namespace {

void emit(llvm::Function& fn, const KernelDesc& d) {
  LinearShape s = linear_shape(d);
  KernelParams p = kernel_params(fn);
  Builder b = entry_builder(fn);
  int i = 0;
  LinearOperands o{};
  o.x = arg_pointer(b, p, i++);
  o.w = arg_pointer(b, p, i++);
  o.bias = s.has_bias ? arg_pointer(b, p, i++) : nullptr;
  o.res = s.has_residual ? arg_pointer(b, p, i++) : nullptr;
  o.y = arg_pointer(b, p, i++);
  o.T = dim_value(b, p, s.rows);
  o.begin = p.begin;
  o.end = p.end;

  auto* decode_bb = llvm::BasicBlock::Create(fn.getContext(), "decode", &fn);
  auto* prefill_bb = llvm::BasicBlock::Create(fn.getContext(), "prefill", &fn);
  auto* done_bb = llvm::BasicBlock::Create(fn.getContext(), "done", &fn);
  b.CreateCondBr(b.CreateICmpSLT(o.T, i64c(b, kPrefillMinRows)), decode_bb, prefill_bb);
  b.SetInsertPoint(decode_bb);
  emit_linear_decode(b, s, o);
  b.CreateBr(done_bb);
  b.SetInsertPoint(prefill_bb);
  emit_linear_prefill(b, s, o);
  b.CreateBr(done_bb);
  b.SetInsertPoint(done_bb);
  b.CreateRetVoid();
}

KernelInfo info(const KernelDesc& d) {
  LinearShape s = linear_shape(d);
  KernelInfo k;
  k.fixed = s.N;
  // A split must leave each part enough columns to amortise quantizing the input.
  k.grain = 64;
  return k;
}

}  // namespace

extern const Emitter kEmitLinear{"linear", emit, info};

}  // namespace lmc::codegen
