// fuse-norm-linear: a norm feeding a projection is computed in the projection's
// prologue. The kernel finds each row's statistic in a pass over the row, then
// normalizes every input value as it loads it, so the normalized [T, D] activation
// is never written or read back. The fused QKV and gate+up projections are the usual
// readers.
//
// Pattern: below. Guard: every reader of the norm is a linear reading it as input
// (else the normalized value is stored anyway and nothing is saved); the norm covers
// whole rows (a per-head norm is not what the projection reads row by row). Result:
// fusion {norm; linear}, the norm copied into each reader's region when there are
// several.
#include "ir/op_registry.h"
#include "passes/builtin_passes.h"
#include "passes/op_pattern.h"
#include "passes/pattern.h"
#include "passes/rewriter.h"

namespace lmc::passes {

namespace {

const OpPattern& norm_linear() {
  static const OpPattern p(R"(
    %h = any(rms_norm, layer_norm) %x, ...
    %y = linear %h, %w
  )");
  return p;
}

std::string blocker(ir::Graph& g, const Match& m) {
  if (g.is_output(m.value("h"))) return "the normalized value is a graph output";
  for (const ir::Op* user : g.users(m.value("h")))
    if (!ir::traits(*user).input_prologue || user->operand(0) != m.value("h") || user->operand(1) == m.value("h"))
      return "%" + m.value("h")->name() + " is also read by " + user->where();
  return Rewriter(g).fusion_blocker({m.op("h"), m.op("y")});
}

class FuseNormLinear : public Pass {
 public:
  std::string name() const override { return "fuse-norm-linear"; }
  std::string summary() const override { return "normalize a linear's input in its prologue"; }

  PassResult run(ir::Graph& g, PassContext& ctx) override {
    int fused = 0;
    norm_linear().for_each(g, [&](const Match& m) {
      if (std::string why = blocker(g, m); !why.empty()) {
        ctx.remark(name(), m.value("y")->name(), "not fused: " + why);
        return;
      }
      Rewriter rw(g);
      ir::Op* norm = m.op("h");
      if (g.users(m.value("h")).size() > 1) {
        norm = rw.duplicate(norm);
        m.op("y")->set_operand(0, norm->result());
      }
      rw.fuse({norm, m.op("y")});
      ++fused;
    });
    return {fused > 0, {"fused " + std::to_string(fused) + " norms into their projections"}};
  }
};

}  // namespace

std::unique_ptr<Pass> create_fuse_norm_linear_pass() { return std::make_unique<FuseNormLinear>(); }

}  // namespace lmc::passes
