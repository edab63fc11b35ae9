#include "codegen/llvm/region/region_io.h"

#include "ir/op_registry.h"

namespace lmc::codegen {

RegionIO::RegionIO(Builder& b, const KernelParams& p, const FusedRegion& r) : b_(b), region_(r) {
  const ir::Graph& body = *r.body;
  for (size_t i = 0; i < body.args().size(); ++i) args_.push_back(arg_pointer(b, p, static_cast<int>(i)));
  for (size_t i = 0; i < body.outputs().size(); ++i)
    outs_.push_back(arg_pointer(b, p, static_cast<int>(body.args().size() + i)));
  eval_ = std::make_unique<BodyEval>(b, body, args_, r.row_type, r.segment, r.lanes);
  for (const ir::Op* red : eval_->reductions()) {
    auto steps = static_cast<int64_t>(ir::traits(*red).reduction.steps.size());
    stats_.push_back({red, stack_array(b, b.getFloatTy(), steps * kMaxPreparedRows)});
  }
}

llvm::Value* RegionIO::stat_slot(llvm::Value* scratch, size_t step, llvm::Value* r) {
  return f32_ptr(b_, scratch, b_.CreateAdd(r, i64c(b_, static_cast<int64_t>(step) * kMaxPreparedRows)));
}

void RegionIO::prepare_rows(llvm::Value* t0, llvm::Value* rows) {
  t0_ = t0;
  for (const auto& stat : stats_) {
    const auto* red = stat.first;
    llvm::Value* buf = stat.second;
    emit_for(
        b_, i64c(b_, 0), rows, 1,
        [&](llvm::Value* r) {
          std::vector<llvm::Value*> st = eval_->row_stats(*red, b_.CreateAdd(t0, r), i64c(b_, 0));
          for (size_t j = 0; j < st.size(); ++j) b_.CreateStore(st[j], stat_slot(buf, j, r));
        },
        "stats");
  }
}

llvm::Value* RegionIO::load_prologue(llvm::Value* t, llvm::Value* k, unsigned lanes, llvm::Value* count) {
  auto* r = b_.CreateSub(t, t0_);
  for (const auto& [red, scratch] : stats_) {
    std::vector<llvm::Value*> st;
    for (size_t j = 0; j < ir::traits(*red).reduction.steps.size(); ++j)
      st.push_back(b_.CreateLoad(b_.getFloatTy(), stat_slot(scratch, j, r)));
    eval_->set_stats(red, st);
  }
  BodyEval::Point at(*eval_, RowPos{t, i64c(b_, 0), k, lanes, count});
  return at.value(region_.anchor->operand(0));
}

void RegionIO::store_output(llvm::Value* t, llvm::Value* n, llvm::Value* v, unsigned lanes, llvm::Value* count) {
  RowPos pos{t, i64c(b_, 0), n, lanes, count};
  BodyEval::Point at(*eval_, pos);
  at.give(region_.anchor->result(), v);
  const ir::Graph& body = *region_.body;
  for (size_t k = 0; k < outs_.size(); ++k)
    eval_->store(outs_[k], body.outputs()[k]->type(), pos, at.value(body.outputs()[k]));
}

}  // namespace lmc::codegen
