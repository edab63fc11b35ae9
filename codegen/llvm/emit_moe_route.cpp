// moe_route(logits[R, E]) -> ids i32[R, k], gates f32[R, k]: per row the experts' scores
// (softmax over the row: max, exp, sum, divide; or sigmoid each), then k times the highest
// score not yet taken, the lowest index first among equals (so NaN scores still give k
// distinct experts), its score the gate; with norm_topk the k gates divided by their sum.
// Scalar code: E is tens to hundreds, next to the projections around it. Work items: rows.
#include <limits>

#include <llvm/IR/Function.h>

#include "codegen/llvm/builder/llvm_helpers.h"
#include "codegen/llvm/builder/llvm_math.h"
#include "codegen/llvm/emitter.h"
#include "codegen/moe_route_shape.h"

namespace lmc::codegen {

namespace {

// scores[i] for i < E from the row's logits.
void score(Builder& b, const MoeRouteShape& s, llvm::Value* logits, llvm::Value* scores) {
  const int64_t E = s.logits.width;
  auto at = [&](llvm::Value* base, llvm::Value* i) { return f32_ptr(b, base, i); };
  auto load = [&](llvm::Value* base, llvm::Value* i) { return b.CreateLoad(b.getFloatTy(), at(base, i)); };
  if (s.sigmoid) {
    emit_for(b, i64c(b, 0), i64c(b, E), 1, [&](llvm::Value* i) {
      llvm::Value* e = emit_exp(b, b.CreateFNeg(load(logits, i)));
      b.CreateStore(b.CreateFDiv(f32c(b, 1), b.CreateFAdd(f32c(b, 1), e)), at(scores, i));
    });
    return;
  }
  Carried mx =
      emit_for_carry(b, i64c(b, 0), i64c(b, E), 1, {f32c(b, -std::numeric_limits<float>::infinity())},
                     [&](llvm::Value* i, const Carried& cur) { return Carried{vmax(b, cur[0], load(logits, i))}; });
  Carried sum = emit_for_carry(b, i64c(b, 0), i64c(b, E), 1, {f32c(b, 0)}, [&](llvm::Value* i, const Carried& cur) {
    llvm::Value* e = emit_exp(b, b.CreateFSub(load(logits, i), mx[0]));
    b.CreateStore(e, at(scores, i));
    return Carried{b.CreateFAdd(cur[0], e)};
  });
  emit_for(b, i64c(b, 0), i64c(b, E), 1,
           [&](llvm::Value* i) { b.CreateStore(b.CreateFDiv(load(scores, i), sum[0]), at(scores, i)); });
}

void emit(llvm::Function& fn, const KernelDesc& d) {
  MoeRouteShape s = moe_route_shape(d);
  const int64_t E = s.logits.width;
  KernelParams p = kernel_params(fn);
  Builder b = entry_builder(fn);
  llvm::Value* logits = arg_pointer(b, p, 0);
  llvm::Value* ids = arg_pointer(b, p, 1);
  llvm::Value* gates = arg_pointer(b, p, 2);
  llvm::Value* scores = stack_array(b, b.getFloatTy(), E);
  llvm::Value* taken = stack_array(b, b.getInt8Ty(), E);
  llvm::Value* best = stack_array(b, b.getInt64Ty(), 1);
  emit_for(
      b, p.begin, p.end, 1,
      [&](llvm::Value* r) {
        score(b, s, f32_ptr(b, logits, b.CreateMul(r, i64c(b, E))), scores);
        emit_for(b, i64c(b, 0), i64c(b, E), 1,
                 [&](llvm::Value* i) { b.CreateStore(b.getInt8(0), elem_ptr(b, b.getInt8Ty(), taken, i)); });
        llvm::Value* row_ids = b.CreateMul(r, i64c(b, s.k));
        Carried total = emit_for_carry(
            b, i64c(b, 0), i64c(b, s.k), 1, {f32c(b, 0)},
            [&](llvm::Value* j, const Carried& cur) {
              b.CreateStore(i64c(b, -1), best);
              emit_for(
                  b, i64c(b, 0), i64c(b, E), 1,
                  [&](llvm::Value* i) {
                    llvm::Value* free =
                        b.CreateICmpEQ(b.CreateLoad(b.getInt8Ty(), elem_ptr(b, b.getInt8Ty(), taken, i)), b.getInt8(0));
                    llvm::Value* cur_best = b.CreateLoad(b.getInt64Ty(), best);
                    llvm::Value* none = b.CreateICmpSLT(cur_best, i64c(b, 0));
                    llvm::Value* safe = b.CreateSelect(none, i64c(b, 0), cur_best);
                    llvm::Value* higher = b.CreateFCmpOGT(b.CreateLoad(b.getFloatTy(), f32_ptr(b, scores, i)),
                                                          b.CreateLoad(b.getFloatTy(), f32_ptr(b, scores, safe)));
                    b.CreateStore(b.CreateSelect(b.CreateAnd(free, b.CreateOr(none, higher)), i, cur_best), best);
                  },
                  "expert");
              llvm::Value* e = b.CreateLoad(b.getInt64Ty(), best);
              b.CreateStore(b.getInt8(1), elem_ptr(b, b.getInt8Ty(), taken, e));
              llvm::Value* slot = b.CreateAdd(row_ids, j);
              b.CreateStore(b.CreateTrunc(e, b.getInt32Ty()), elem_ptr(b, b.getInt32Ty(), ids, slot));
              llvm::Value* g = b.CreateLoad(b.getFloatTy(), f32_ptr(b, scores, e));
              b.CreateStore(g, f32_ptr(b, gates, slot));
              return Carried{b.CreateFAdd(cur[0], g)};
            },
            "slot");
        if (!s.norm_topk) return;
        emit_for(b, i64c(b, 0), i64c(b, s.k), 1, [&](llvm::Value* j) {
          llvm::Value* ptr = f32_ptr(b, gates, b.CreateAdd(row_ids, j));
          b.CreateStore(b.CreateFDiv(b.CreateLoad(b.getFloatTy(), ptr), total[0]), ptr);
        });
      },
      "row");
  b.CreateRetVoid();
}

}  // namespace

void emit_moe_route_kernel(llvm::Function& fn, const KernelDesc& d) { emit(fn, d); }

}  // namespace lmc::codegen
