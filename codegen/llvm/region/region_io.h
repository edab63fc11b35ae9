// A fusion region around an anchor, inside its generated kernel: the buffers of the
// body's arguments and yields, the prologue that computes the anchor's operand 0 as
// it is loaded (row statistics prepared per group of rows), and the epilogue that
// turns each value of the anchor's result into every yielded value as it is stored.
#pragma once
#include <memory>
#include <utility>
#include <vector>

#include "codegen/fused_region.h"
#include "codegen/llvm/region/body_eval.h"

namespace lmc::codegen {

// Rows whose prologue statistics are kept at once (the linear prefill input panel).
constexpr int64_t kMaxPreparedRows = 96;

class RegionIO {
 public:
  RegionIO(Builder& b, const KernelParams& p, const FusedRegion& r);

  // The buffer bound to a body argument.
  llvm::Value* arg(const ir::Value* body_arg) const { return args_.at(body_arg->index()); }
  // Where an anchor keeps partial results before its epilogue: the first yield.
  llvm::Value* first_output() const { return outs_[0]; }

  // Computes the prologue's row statistics of rows [t0, t0 + rows) (rows <=
  // kMaxPreparedRows) for the load_prologue calls that follow.
  void prepare_rows(llvm::Value* t0, llvm::Value* rows);
  // `lanes` values of the anchor's operand 0 at row t from column k.
  llvm::Value* load_prologue(llvm::Value* t, llvm::Value* k, unsigned lanes, llvm::Value* count);
  // The anchor's result at [t, n ..] is v (a scalar or `lanes` values): every yield
  // is computed from it and stored.
  void store_output(llvm::Value* t, llvm::Value* n, llvm::Value* v, unsigned lanes, llvm::Value* count);

 private:
  Builder& b_;
  const FusedRegion& region_;
  std::unique_ptr<BodyEval> eval_;
  std::vector<llvm::Value*> args_, outs_;
  llvm::Value* t0_ = nullptr;
  std::vector<std::pair<const ir::Op*, llvm::Value*>> stats_;  // reduction -> f32[steps][rows] scratch

  llvm::Value* stat_slot(llvm::Value* scratch, size_t step, llvm::Value* r);
};

}  // namespace lmc::codegen
