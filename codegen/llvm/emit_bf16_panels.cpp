// bf16_panels(w) -> the bf16 tile GEMM's decoded weights (codegen/bf16_panels_shape.h): each
// work item a column pair, decoded over all of K by the GEMM's own decode_bf16_tiles.
#include <llvm/IR/Function.h>

#include "codegen/bf16_panels_shape.h"
#include "codegen/llvm/emitter.h"
#include "codegen/llvm/linear/bf16_weights.h"

namespace lmc::codegen {

namespace {

void emit(llvm::Function& fn, const KernelDesc& d) {
  const Bf16PanelsShape s = bf16_panels_shape(d);
  KernelParams p = kernel_params(fn);
  Builder b = entry_builder(fn);
  llvm::Value* w = arg_pointer(b, p, 0);
  llvm::Value* out = arg_pointer(b, p, 1);
  emit_for(b, p.begin, p.end, 1, [&](llvm::Value* pair) {
    auto* dst = byte_ptr(b, out, b.CreateMul(pair, i64c(b, 64 * s.weight.K)));
    decode_bf16_tiles(b, s.weight, w, b.CreateMul(pair, i64c(b, 32)), i64c(b, 0), i64c(b, s.weight.K), dst);
  });
  b.CreateRetVoid();
}

}  // namespace

void emit_bf16_panels_kernel(llvm::Function& fn, const KernelDesc& d) { emit(fn, d); }

}  // namespace lmc::codegen
