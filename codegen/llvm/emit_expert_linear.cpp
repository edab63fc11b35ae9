// expert_linear(x, w[E, N, K], ids[R, k]) -> y[R, k, N]: pair (r, j) is x's row r (or its
// slot j's row, for an x[R, k, K]) through expert ids[r, j]'s weight, y's row (r, j). The
// pair's product is the plain linear kernel's (`inner`, generated into the same module from
// the expert's [N, K] descriptor, so every weight type and path the linear has serves
// experts too), handed the expert's weight. Only the named experts' weights are read, and a
// pair's numbers do not depend on the mode (the linear's decode path sums a row alike for 1
// to 8 rows):
//  * one row (decode): work items are the pairs' output columns, pair-major, so the threads
//    share each expert's columns;
//  * from kGroupFromRows rows (prefill, batched decode): work items are rows; a call takes
//    its rows' pairs expert by expert, group_rows at a time, gathering their input rows and
//    scattering their outputs through stack buffers, so each expert's weights are read once
//    per group rather than once per pair.
// An id outside 0 .. E-1 (a hand-fed input) gives zeros, never a read outside the weights.
#include <llvm/IR/Function.h>
#include <llvm/IR/Module.h>

#include "codegen/expert_linear_shape.h"
#include "codegen/llvm/builder/llvm_helpers.h"
#include "codegen/llvm/emitter.h"

namespace lmc::codegen {

namespace {

llvm::Function* inner_linear(llvm::Function& fn, const ExpertLinearShape& s) {
  auto* inner = llvm::Function::Create(fn.getFunctionType(), llvm::GlobalValue::InternalLinkage,
                                       fn.getName() + ".linear", fn.getParent());
  inner->copyAttributesFrom(&fn);
  inner->setLinkage(llvm::GlobalValue::InternalLinkage);
  emit_linear_kernel(*inner, s.inner);
  return inner;
}

struct Buffers {
  llvm::Value* x;
  llvm::Value* w;
  llvm::Value* ids;
  llvm::Value* y;
  llvm::Value* args;  // the inner kernel's: input rows, weight, output rows
  llvm::Value* syms;  // the inner kernel's, T set per call
};

void call_inner(Builder& b, llvm::Function* inner, const Buffers& io, llvm::Value* x, llvm::Value* w, llvm::Value* y,
                llvm::Value* rows, llvm::Value* c0, llvm::Value* c1) {
  b.CreateStore(x, elem_ptr(b, b.getPtrTy(), io.args, i64c(b, 0)));
  b.CreateStore(w, elem_ptr(b, b.getPtrTy(), io.args, i64c(b, 1)));
  b.CreateStore(y, elem_ptr(b, b.getPtrTy(), io.args, i64c(b, 2)));
  b.CreateStore(rows, elem_ptr(b, b.getInt64Ty(), io.syms, i64c(b, static_cast<int>(ir::Sym::T))));
  b.CreateCall(inner, {io.args, io.syms, c0, c1});
}

void copy_row(Builder& b, llvm::Value* from, llvm::Value* to, int64_t n) {
  b.CreateMemCpy(to, llvm::Align(4), from, llvm::Align(4), i64c(b, n * 4));
}

// Columns [from, end) of a row of f32, zeroed.
void zero_row(Builder& b, llvm::Value* to, llvm::Value* from, llvm::Value* end) {
  b.CreateMemSet(f32_ptr(b, to, from), b.getInt8(0), b.CreateMul(b.CreateSub(end, from), i64c(b, 4)), llvm::Align(4));
}

llvm::Value* expert_of(Builder& b, const Buffers& io, llvm::Value* pair) {
  return b.CreateSExt(i32_at(b, io.ids, pair), b.getInt64Ty());
}

llvm::Value* input_row(Builder& b, const ExpertLinearShape& s, const Buffers& io, llvm::Value* pair) {
  llvm::Value* row = s.per_slot_input ? pair : b.CreateSDiv(pair, i64c(b, s.k));
  return f32_ptr(b, io.x, b.CreateMul(row, i64c(b, s.K)));
}

llvm::Value* expert_weight(Builder& b, const ExpertLinearShape& s, const Buffers& io, llvm::Value* e) {
  return byte_ptr(b, io.w, b.CreateMul(e, i64c(b, s.expert_bytes)));
}

// One row: items [begin, end) of the pairs' column units; each pair's share is one call.
void per_pair(Builder& b, const ExpertLinearShape& s, const KernelParams& p, llvm::Function* inner, const Buffers& io) {
  const int64_t units = s.N / s.col_unit;
  llvm::Value* first = b.CreateSDiv(p.begin, i64c(b, units));
  llvm::Value* last = b.CreateSDiv(b.CreateAdd(p.end, i64c(b, units - 1)), i64c(b, units));
  emit_for(
      b, first, last, 1,
      [&](llvm::Value* pair) {
        llvm::Value* base = b.CreateMul(pair, i64c(b, units));
        llvm::Value* c0 = b.CreateSelect(b.CreateICmpSGT(p.begin, base), b.CreateSub(p.begin, base), i64c(b, 0));
        llvm::Value* c1 = min64(b, b.CreateSub(p.end, base), i64c(b, units));
        llvm::Value* e = expert_of(b, io, pair);
        llvm::Value* out = f32_ptr(b, io.y, b.CreateMul(pair, i64c(b, s.N)));
        llvm::Value* valid = b.CreateICmpULT(e, i64c(b, s.experts));
        emit_if(b, b.CreateNot(valid),
                [&] { zero_row(b, out, b.CreateMul(c0, i64c(b, s.col_unit)), b.CreateMul(c1, i64c(b, s.col_unit))); });
        emit_if(b, valid, [&] {
          call_inner(b, inner, io, input_row(b, s, io, pair), expert_weight(b, s, io, e), out, i64c(b, 1), c0, c1);
        });
      },
      "pair");
}

// Rows [begin, end): their pairs expert by expert, up to group_rows per call of `inner`.
void by_expert(Builder& b, const ExpertLinearShape& s, const KernelParams& p, llvm::Function* inner,
               const Buffers& io) {
  llvm::Value* xs = stack_array(b, b.getFloatTy(), s.group_rows * s.K);
  llvm::Value* ys = stack_array(b, b.getFloatTy(), s.group_rows * s.N);
  llvm::Value* members = stack_array(b, b.getInt64Ty(), s.group_rows, 8);
  llvm::Value* count = stack_array(b, b.getInt64Ty(), 1, 8);
  llvm::Value* pair0 = b.CreateMul(p.begin, i64c(b, s.k));
  llvm::Value* pair1 = b.CreateMul(p.end, i64c(b, s.k));
  const int64_t units = s.N / s.col_unit;
  emit_for(
      b, pair0, pair1, 1,
      [&](llvm::Value* pair) {
        emit_if(b, b.CreateICmpUGE(expert_of(b, io, pair), i64c(b, s.experts)),
                [&] { zero_row(b, f32_ptr(b, io.y, b.CreateMul(pair, i64c(b, s.N))), i64c(b, 0), i64c(b, s.N)); });
      },
      "pair");
  emit_for(
      b, i64c(b, 0), i64c(b, s.experts), 1,
      [&](llvm::Value* e) {
        auto flush = [&] {
          llvm::Value* n = b.CreateLoad(b.getInt64Ty(), count);
          emit_if(b, b.CreateICmpSGT(n, i64c(b, 0)), [&] {
            call_inner(b, inner, io, xs, expert_weight(b, s, io, e), ys, n, i64c(b, 0), i64c(b, units));
            emit_for(b, i64c(b, 0), n, 1, [&](llvm::Value* i) {
              llvm::Value* pair = b.CreateLoad(b.getInt64Ty(), elem_ptr(b, b.getInt64Ty(), members, i));
              copy_row(b, f32_ptr(b, ys, b.CreateMul(i, i64c(b, s.N))),
                       f32_ptr(b, io.y, b.CreateMul(pair, i64c(b, s.N))), s.N);
            });
          });
          b.CreateStore(i64c(b, 0), count);
        };
        b.CreateStore(i64c(b, 0), count);
        emit_for(
            b, pair0, pair1, 1,
            [&](llvm::Value* pair) {
              emit_if(b, b.CreateICmpEQ(expert_of(b, io, pair), e), [&] {
                llvm::Value* n = b.CreateLoad(b.getInt64Ty(), count);
                b.CreateStore(pair, elem_ptr(b, b.getInt64Ty(), members, n));
                copy_row(b, input_row(b, s, io, pair), f32_ptr(b, xs, b.CreateMul(n, i64c(b, s.K))), s.K);
                llvm::Value* next = b.CreateAdd(n, i64c(b, 1));
                b.CreateStore(next, count);
                emit_if(b, b.CreateICmpEQ(next, i64c(b, s.group_rows)), flush);
              });
            },
            "pair");
        flush();
      },
      "expert");
}

void emit(llvm::Function& fn, const KernelDesc& d) {
  ExpertLinearShape s = expert_linear_shape(d);
  llvm::Function* inner = inner_linear(fn, s);
  KernelParams p = kernel_params(fn);
  Builder b = entry_builder(fn);
  Buffers io{arg_pointer(b, p, 0),
             arg_pointer(b, p, 1),
             arg_pointer(b, p, 2),
             arg_pointer(b, p, 3),
             stack_array(b, b.getPtrTy(), 3, 8),
             stack_array(b, b.getInt64Ty(), ir::kNumSyms, 8)};
  for (int i = 0; i < ir::kNumSyms; ++i)
    b.CreateStore(sym_value(b, p, static_cast<ir::Sym>(i)), elem_ptr(b, b.getInt64Ty(), io.syms, i64c(b, i)));
  llvm::Value* grouped = b.CreateICmpSGE(dim_value(b, p, s.rows), i64c(b, kGroupFromRows));
  emit_if(b, grouped, [&] { by_expert(b, s, p, inner, io); });
  emit_if(b, b.CreateNot(grouped), [&] { per_pair(b, s, p, inner, io); });
  b.CreateRetVoid();
}

}  // namespace

void emit_expert_linear_kernel(llvm::Function& fn, const KernelDesc& d) { emit(fn, d); }

}  // namespace lmc::codegen
