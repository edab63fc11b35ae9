// expert_linear(x, w[E, N, K], ids[R, k]) -> y[R, k, N]: pair (r, j) is x's row r (or its
// slot j's row, for an x[R, k, K]) through expert ids[r, j]'s weight, y's row (r, j). The
// pair's product is the plain linear kernel's for one row (`inner`, generated into the same
// module from the expert's [N, K] descriptor, so every weight type and path the linear has
// serves experts too): the wrapper hands it the expert's weight, and its work items are
// the pair's output columns. Only the named experts' weights are read. An id outside
// 0 .. E-1 (a hand-fed input) gives zeros, never a read outside the weights. Work items:
// the pairs' column units, pair-major.
#include <llvm/IR/Function.h>
#include <llvm/IR/Module.h>

#include "codegen/emitter.h"
#include "codegen/expert_linear_shape.h"
#include "codegen/llvm_helpers.h"

namespace lmc::codegen {

extern const Emitter kEmitLinear;

namespace {

llvm::Function* inner_linear(llvm::Function& fn, const ExpertLinearShape& s) {
  auto* inner = llvm::Function::Create(fn.getFunctionType(), llvm::GlobalValue::InternalLinkage,
                                       fn.getName() + ".linear", fn.getParent());
  inner->copyAttributesFrom(&fn);
  inner->setLinkage(llvm::GlobalValue::InternalLinkage);
  kEmitLinear.emit(*inner, s.inner);
  return inner;
}

void emit(llvm::Function& fn, const KernelDesc& d) {
  ExpertLinearShape s = expert_linear_shape(d);
  llvm::Function* inner = inner_linear(fn, s);
  KernelParams p = kernel_params(fn);
  Builder b = entry_builder(fn);
  llvm::Value* x = arg_pointer(b, p, 0);
  llvm::Value* w = arg_pointer(b, p, 1);
  llvm::Value* ids = arg_pointer(b, p, 2);
  llvm::Value* y = arg_pointer(b, p, 3);
  llvm::Value* args = stack_array(b, b.getPtrTy(), 3, 8);
  llvm::Value* syms = stack_array(b, b.getInt64Ty(), ir::kNumSyms, 8);
  for (int i = 0; i < ir::kNumSyms; ++i)
    b.CreateStore(sym_value(b, p, static_cast<ir::Sym>(i)), elem_ptr(b, b.getInt64Ty(), syms, i64c(b, i)));
  b.CreateStore(i64c(b, 1), elem_ptr(b, b.getInt64Ty(), syms, i64c(b, static_cast<int>(ir::Sym::T))));
  const int64_t units = s.N / s.col_unit;
  llvm::Value* first = b.CreateSDiv(p.begin, i64c(b, units));
  llvm::Value* last = b.CreateSDiv(b.CreateAdd(p.end, i64c(b, units - 1)), i64c(b, units));
  emit_for(b, first, last, 1, [&](llvm::Value* pair) {
    llvm::Value* base = b.CreateMul(pair, i64c(b, units));
    llvm::Value* c0 = b.CreateSelect(b.CreateICmpSGT(p.begin, base), b.CreateSub(p.begin, base), i64c(b, 0));
    llvm::Value* c1 = min64(b, b.CreateSub(p.end, base), i64c(b, units));
    llvm::Value* e = b.CreateSExt(i32_at(b, ids, pair), b.getInt64Ty());
    llvm::Value* out = f32_ptr(b, y, b.CreateMul(pair, i64c(b, s.N)));
    llvm::Value* valid = b.CreateICmpULT(e, i64c(b, s.experts));
    emit_if(b, b.CreateNot(valid), [&] {
      emit_for(b, b.CreateMul(c0, i64c(b, s.col_unit)), b.CreateMul(c1, i64c(b, s.col_unit)), 1, [&](llvm::Value* c) {
        b.CreateStore(f32c(b, 0), f32_ptr(b, out, c));
      });
    });
    emit_if(b, valid, [&] {
      llvm::Value* row = s.per_slot_input ? pair : b.CreateSDiv(pair, i64c(b, s.k));
      b.CreateStore(f32_ptr(b, x, b.CreateMul(row, i64c(b, s.K))), elem_ptr(b, b.getPtrTy(), args, i64c(b, 0)));
      b.CreateStore(byte_ptr(b, w, b.CreateMul(e, i64c(b, s.expert_bytes))), elem_ptr(b, b.getPtrTy(), args, i64c(b, 1)));
      b.CreateStore(out, elem_ptr(b, b.getPtrTy(), args, i64c(b, 2)));
      b.CreateCall(inner, {args, syms, c0, c1});
    });
  }, "pair");
  b.CreateRetVoid();
}

}  // namespace

extern const Emitter kEmitExpertLinear{"expert_linear", emit};

}  // namespace lmc::codegen
