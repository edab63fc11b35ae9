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
#include "passes/transforms/builtin_passes.h"
#include "passes/api/op_pattern.h"
#include "passes/api/pattern.h"
#include "passes/api/rewriter.h"

namespace lmc::passes {

namespace {

const OpPattern& norm_linear() {
  static const OpPattern p(R"(
    %h = any(rms_norm, layer_norm) %x, ...
    %y = linear %h, %w, ...
  )");
  return p;
}

// Whether `op` reads `v` as one of its weights (operands after the input).
bool reads_as_weight(const ir::Op& op, const ir::Value* v) {
  for (size_t i = 1; i < op.operands().size(); ++i)
    if (op.operand(i) == v) return true;
  return false;
}

// Why the norm cannot go into the projections' prologues for what it is read by.
std::string reader_blocker(ir::Graph& g, const Match& m) {
  if (g.is_output(m.value("h"))) return "the normalized value is a graph output";
  for (const ir::Op* user : g.users(m.value("h")))
    if (!ir::traits(*user).input_prologue || user->operand(0) != m.value("h") || reads_as_weight(*user, m.value("h")))
      return "%" + m.value("h")->name() + " is also read by " + user->where();
  return "";
}

// Fuses the norm (a copy of it when several projections read it) with this
// projection, or leaves the graph as it was and says why not.
std::string fuse_one(ir::Graph& g, const Match& m) {
  Rewriter rw(g);
  ir::Op* norm = m.op("h");
  ir::Op* linear = m.op("y");
  if (g.users(m.value("h")).size() > 1) {
    norm = rw.duplicate(norm);
    linear->set_operand(0, norm->result());
  }
  std::string why = rw.fusion_blocker({norm, linear});
  if (why.empty()) {
    rw.fuse({norm, linear});
  } else if (norm != m.op("h")) {
    linear->set_operand(0, m.value("h"));
    rw.erase(norm);
  }
  return why;
}

class FuseNormLinear : public Pass {
 public:
  std::string summary() const override { return "normalize a linear's input in its prologue"; }

  PassResult run(ir::Graph& g, PassContext& ctx) override {
    int fused = 0;
    norm_linear().for_each(g, [&](const Match& m) {
      std::string why = reader_blocker(g, m);
      if (why.empty()) why = fuse_one(g, m);
      if (why.empty()) ++fused;
      else ctx.remark(name(), m.value("y")->name(), "not fused: " + why);
    });
    return {fused > 0, {"fused " + std::to_string(fused) + " norms into their projections"}};
  }
};

}  // namespace

std::unique_ptr<Pass> create_fuse_norm_linear_pass() { return std::make_unique<FuseNormLinear>(); }

}  // namespace lmc::passes
