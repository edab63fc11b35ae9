// fuse-qk-rope: the per-head norm of the queries or keys (Qwen3, Gemma 3, OLMo 2) and the
// rope that follows it run as one kernel. Each row's angle tables are filled once, each
// head's statistic is found in a pass over the head, and every element is normalized and
// rotated as it is computed (its pair partner normalized at its own column), so the
// normalized [T, H*hd] rows are never written or read back, and a layer runs two kernels
// fewer.
//
// Pattern: below. Guard: the region is one codegen can generate (ir/fusion_region.h): the
// norm's groups hold whole heads, the positions (and frequency factors) are the region's
// arguments. A norm that others read as well is yielded by the region too. Result:
// fusion {norm; rope}.
#include "passes/transforms/builtin_passes.h"
#include "passes/api/op_pattern.h"
#include "passes/api/rewriter.h"

namespace lmc::passes {

namespace {

const OpPattern& norm_rope() {
  static const OpPattern p(R"(
    %n = rms_norm %x, %w
    %r = rope %n, ...
  )");
  return p;
}

class FuseQkRope : public Pass {
 public:
  std::string summary() const override { return "normalize each head and apply rope in one kernel"; }

  PassResult run(ir::Graph& g, PassContext& ctx) override {
    int fused = 0;
    norm_rope().for_each(g, [&](const Match& m) {
      Rewriter rw(g);
      std::string why = rw.fusion_blocker({m.op("n"), m.op("r")});
      if (!why.empty()) {
        ctx.remark(name(), m.value("r")->name(), "not fused: " + why);
        return;
      }
      rw.fuse({m.op("n"), m.op("r")});
      ++fused;
    });
    return {fused > 0, {"fused " + std::to_string(fused) + " norms with their rope"}};
  }
};

}  // namespace

std::unique_ptr<Pass> create_fuse_qk_rope_pass() { return std::make_unique<FuseQkRope>(); }

}  // namespace lmc::passes
