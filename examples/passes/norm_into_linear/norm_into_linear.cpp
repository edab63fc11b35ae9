// norm-into-linear (an example plugin pass, the one docs/writing-a-pass.md builds):
// a norm whose only reader is a projection is computed in the projection's prologue,
// so the normalized activation never goes to memory. The pass only decides which ops
// share a kernel; codegen generates the fused kernel from the op table's traits.
//
// Pattern: %h = rms_norm or layer_norm of %x; %y = linear %h, %w.
// Guard: %h has no other reader; the region is one codegen can generate (a per-head
// norm is not: the projection reads whole rows).
// Result: one fusion op holding the norm and the linear; %y keeps its name.
#include "passes/api/op_pattern.h"
#include "passes/api/pattern.h"
#include "passes/api/rewriter.h"
#include "passes/plugin_loader.h"

namespace {

using namespace lmc;

const passes::OpPattern& norm_then_linear() {
  static const passes::OpPattern p(R"(
    %h = any(rms_norm, layer_norm) %x, ...
    %y = linear %h, %w
  )");
  return p;
}

class NormIntoLinear : public passes::Pass {
 public:
  std::string name() const override { return "norm-into-linear"; }
  std::string summary() const override { return "compute a norm in the prologue of the linear reading it"; }

  passes::PassResult run(ir::Graph& g, passes::PassContext& ctx) override {
    int fused = 0;
    norm_then_linear().for_each(g, [&](const passes::Match& m) {
      std::vector<ir::Op*> ops{m.op("h"), m.op("y")};
      passes::Rewriter rw(g);
      std::string why = passes::has_single_use(g, m.value("h")) ? rw.fusion_blocker(ops) : "the norm has other readers";
      if (!why.empty()) {
        ctx.remark(name(), m.value("y")->name(), "not fused: " + why, passes::RemarkKind::Missed);
        return;
      }
      rw.fuse(ops);
      ++fused;
    });
    return {fused > 0, {"fused " + std::to_string(fused) + " norms into linears"}};
  }
};

void register_passes(passes::PassRegistry* registry) {
  registry->add("norm-into-linear", [] { return std::make_unique<NormIntoLinear>(); });
}

}  // namespace

extern "C" const lmc_pass_plugin_info* lmc_get_pass_plugin_info() {
  static const lmc_pass_plugin_info info{LMC_PASS_PLUGIN_API_VERSION, "norm-into-linear", register_passes};
  return &info;
}
