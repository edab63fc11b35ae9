// A region without an anchor — elementwise ops, last-axis slices, row reductions and
// rotations (rope) — as one loop over rows: per row each rotation's angle tables, per
// group of a grouped norm each reduction's statistics in a pre-pass over the group,
// then one pass computing every yielded value chunk by chunk, with nothing stored in
// between. Plain elementwise ops, norms and ropes are one-op regions of this kind.
// Work items: rows of the leading dim.
#include <llvm/IR/Function.h>

#include "codegen/fused_rows_shape.h"
#include "codegen/llvm/emitter.h"
#include "codegen/llvm/region/body_eval.h"

namespace lmc::codegen {

namespace {

void emit(llvm::Function& fn, const KernelDesc& d) {
  FusedRegion r = fused_region(d);
  FusedRowsLayout l = fused_rows_layout(d, r);
  KernelParams p = kernel_params(fn);
  Builder b = entry_builder(fn);
  size_t n_args = r.body->args().size();
  std::vector<llvm::Value*> args, outs;
  for (size_t i = 0; i < n_args; ++i) args.push_back(arg_pointer(b, p, static_cast<int>(i)));
  for (size_t i = 0; i < r.body->outputs().size(); ++i) outs.push_back(arg_pointer(b, p, static_cast<int>(n_args + i)));
  BodyEval eval(b, *r.body, args, r.row_type, r.segment, r.lanes);
  eval.prepare_rotations(fn);
  std::vector<const ir::Op*> reductions = eval.reductions();
  const unsigned kLanes = r.lanes;
  emit_for(
      b, p.begin, p.end, 1,
      [&](llvm::Value* row) {
        eval.fill_rotations(row);
        auto segment = [&](llvm::Value* seg) {
          for (const ir::Op* red : reductions) eval.row_stats(*red, row, seg);
          emit_chunks(b, seg, b.CreateAdd(seg, i64c(b, r.segment)), kLanes, [&](llvm::Value* col, llvm::Value* count) {
            RowPos pos{row, seg, col, kLanes, count};
            BodyEval::Point at(eval, pos);
            for (size_t k = 0; k < outs.size(); ++k)
              eval.store(outs[k], r.body->outputs()[k]->type(), pos, at.value(r.body->outputs()[k]));
          });
        };
        if (r.segment == l.width)
          segment(i64c(b, 0));
        else
          emit_for(b, i64c(b, 0), i64c(b, l.width), r.segment, segment, "seg");
      },
      "row");
  b.CreateRetVoid();
}

}  // namespace

void emit_fused_rows_kernel(llvm::Function& fn, const KernelDesc& d) { emit(fn, d); }

}  // namespace lmc::codegen
