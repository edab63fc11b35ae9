// fuse-residual: the residual add after a block's output projection is done in the
// projection kernel's epilogue, as it stores each output value; the projection's
// output never reaches memory on its own. Where a norm sits between the projection
// and the add (Gemma's post-norms), the norm needs whole rows, which a projection
// split by columns across threads does not own: the norm and the add become one row
// kernel instead.
//
// Pattern: add(x, y) with y from a linear or a fusion; add(x, rms_norm(y)). Guard:
// y (or the norm's result) has no other reader, and the region is one codegen can
// generate. Result: fusion {producer; add} or fusion {rms_norm; add}.
#include "passes/transforms/builtin_passes.h"
#include "passes/api/op_pattern.h"
#include "passes/api/pattern.h"
#include "passes/api/rewriter.h"

namespace lmc::passes {

namespace {

const OpPattern& into_projection() {
  static const OpPattern p(R"(
    %y = any(linear, region)
    %r = add %x, %y
  )");
  return p;
}

const OpPattern& with_post_norm() {
  static const OpPattern p(R"(
    %n = rms_norm %y, %w
    %r = add %x, %n
  )");
  return p;
}

class FuseResidual : public Pass {
 public:
  std::string summary() const override { return "add the residual in the producing kernel"; }

  PassResult run(ir::Graph& g, PassContext& ctx) override {
    int fused = fuse_with(g, ctx, with_post_norm(), "n");
    fused += fuse_with(g, ctx, into_projection(), "y");
    return {fused > 0, {"fused " + std::to_string(fused) + " residual adds"}};
  }

 private:
  int fuse_with(ir::Graph& g, PassContext& ctx, const OpPattern& p, const char* producer) {
    int fused = 0;
    p.for_each(g, [&](const Match& m) {
      std::vector<ir::Op*> ops{m.op(producer), m.op("r")};
      std::string why = has_single_use(g, m.value(producer)) ? Rewriter(g).fusion_blocker(ops)
                                                              : "%" + m.value(producer)->name() + " has other users";
      if (!why.empty()) {
        ctx.remark(name(), m.value("r")->name(), "not fused: " + why);
        return;
      }
      Rewriter(g).fuse(ops);
      ++fused;
    });
    return fused;
  }
};

}  // namespace

std::unique_ptr<Pass> create_fuse_residual_pass() { return std::make_unique<FuseResidual>(); }

}  // namespace lmc::passes
