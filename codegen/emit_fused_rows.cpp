// A region without an anchor — elementwise ops, last-axis slices and row reductions
// — as one loop over rows: per row (per group of a grouped norm) each reduction's
// statistics in a pre-pass over the row, then one pass computing every yielded
// value chunk by chunk, with nothing stored in between. Plain elementwise ops and
// norms are one-op regions of this kind. Work items: rows of the leading dim.
#include <llvm/IR/Function.h>

#include "codegen/body_eval.h"
#include "codegen/desc_access.h"
#include "codegen/emitter.h"
#include "codegen/fused_region.h"

namespace lmc::codegen {

namespace {

// Four ymm registers per step: enough independent work to hide the latency of the
// activation polynomials.
constexpr unsigned kLanes = 32;

struct RowsLayout {
  ir::Dim rows = ir::Dim::of(1);
  int64_t width = 1;
};

RowsLayout layout(const KernelDesc& d, const FusedRegion& r) {
  RowsLayout l;
  if (r.row_type.rank() > 0) l.rows = r.row_type.dims[0];
  l.width = r.row_type.row_width();
  if (r.anchor) desc_error(d, "not an anchor-less region");
  return l;
}

void emit(llvm::Function& fn, const KernelDesc& d) {
  FusedRegion r = fused_region(d);
  RowsLayout l = layout(d, r);
  KernelParams p = kernel_params(fn);
  Builder b = entry_builder(fn);
  size_t n_args = r.body->args().size();
  std::vector<llvm::Value*> args, outs;
  for (size_t i = 0; i < n_args; ++i) args.push_back(arg_pointer(b, p, static_cast<int>(i)));
  for (size_t i = 0; i < r.body->outputs().size(); ++i) outs.push_back(arg_pointer(b, p, static_cast<int>(n_args + i)));
  BodyEval eval(b, *r.body, args, r.row_type, r.segment);
  std::vector<const ir::Op*> reductions = eval.reductions();
  emit_for(b, p.begin, p.end, 1, [&](llvm::Value* row) {
    auto segment = [&](llvm::Value* seg) {
      for (const ir::Op* red : reductions) eval.row_stats(*red, row, seg);
      emit_chunks(b, seg, b.CreateAdd(seg, i64c(b, r.segment)), kLanes, [&](llvm::Value* col, llvm::Value* count) {
        RowPos pos{row, seg, col, kLanes, count};
        BodyEval::Point at(eval, pos);
        for (size_t k = 0; k < outs.size(); ++k)
          eval.store(outs[k], r.body->outputs()[k]->type(), pos, at.value(r.body->outputs()[k]));
      });
    };
    if (r.segment == l.width) segment(i64c(b, 0));
    else emit_for(b, i64c(b, 0), i64c(b, l.width), r.segment, segment, "seg");
  }, "row");
  b.CreateRetVoid();
}

KernelInfo info(const KernelDesc& d) {
  FusedRegion r = fused_region(d);
  RowsLayout l = layout(d, r);
  int64_t buffers = static_cast<int64_t>(r.body->args().size() + r.body->outputs().size());
  return row_items(l.rows, l.width * 4 * buffers);
}

}  // namespace

extern const Emitter kEmitFusedRows{"fusion", emit, info};

}  // namespace lmc::codegen
