// expert_sum(y[R, k, D], gates[R, k]) -> out[R, D]: out[r] = sum over slots j, in order, of
// gates[r, j] * y[r, j] (one fma per slot and element). Work items: rows.
#include <llvm/IR/Function.h>

#include "codegen/expert_sum_shape.h"
#include "codegen/llvm/builder/llvm_helpers.h"
#include "codegen/llvm/emitter.h"

namespace lmc::codegen {

namespace {

constexpr unsigned kLanes = 8;

void emit(llvm::Function& fn, const KernelDesc& d) {
  ExpertSumShape s = expert_sum_shape(d);
  KernelParams p = kernel_params(fn);
  Builder b = entry_builder(fn);
  llvm::Value* y = arg_pointer(b, p, 0);
  llvm::Value* gates = arg_pointer(b, p, 1);
  llvm::Value* out = arg_pointer(b, p, 2);
  emit_for(
      b, p.begin, p.end, 1,
      [&](llvm::Value* r) {
        emit_chunks(b, i64c(b, 0), i64c(b, s.D), kLanes, [&](llvm::Value* c, llvm::Value* count) {
          llvm::Value* acc = splat_f32(b, kLanes, 0);
          for (int64_t j = 0; j < s.k; ++j) {
            llvm::Value* slot = b.CreateAdd(b.CreateMul(r, i64c(b, s.k)), i64c(b, j));
            llvm::Value* g = splat(b, kLanes, b.CreateLoad(b.getFloatTy(), f32_ptr(b, gates, slot)));
            llvm::Value* at = b.CreateAdd(b.CreateMul(slot, i64c(b, s.D)), c);
            acc = fma(b, g, load_f32x_n(b, f32_ptr(b, y, at), kLanes, count), acc);
          }
          store_f32x_n(b, acc, f32_ptr(b, out, b.CreateAdd(b.CreateMul(r, i64c(b, s.D)), c)), count);
        });
      },
      "row");
  b.CreateRetVoid();
}

}  // namespace

void emit_expert_sum_kernel(llvm::Function& fn, const KernelDesc& d) { emit(fn, d); }

}  // namespace lmc::codegen
