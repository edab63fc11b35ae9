// fuse-elementwise: what the other fusions left — a bias add, an activation, a scale
// after an embedding, chains of such ops — joins the kernel that produces its input,
// greedily in program order, so each chain runs as one loop (or as the epilogue of
// the projection or embedding it follows) without intermediate buffers.
//
// Pattern: an elementwise op whose operand comes from an elementwise op, a row
// reduction, an anchor or a fusion. Guard: the region is one codegen can generate
// (ir/fusion_region.h). That also holds the cost guard: a value the group computes
// and others read is yielded once, never recomputed, and a reduction's statistic is
// computed once per row, never per output element.
#include "ir/op_registry.h"
#include "passes/api/op_pattern.h"
#include "passes/api/rewriter.h"
#include "passes/transforms/builtin_passes.h"

namespace lmc::passes {

namespace {

const OpPattern& elementwise() {
  static const OpPattern p("%e = any(elementwise)");
  return p;
}

bool producer_kind(const ir::Op& op) {
  ir::OpRole r = ir::traits(op).role;
  return r == ir::OpRole::Elementwise || r == ir::OpRole::RowReduction || r == ir::OpRole::Anchor ||
         r == ir::OpRole::Region;
}

class FuseElementwise : public Pass {
 public:
  std::string summary() const override { return "join elementwise ops to the kernel producing their input"; }

  PassResult run(ir::Graph& g, PassContext& ctx) override {
    int fused = 0;
    elementwise().for_each(g, [&](const Match& m) {
      ir::Op* e = m.op("e");
      std::string why = "no operand comes from a kernel it can join";
      for (ir::Value* v : e->operands()) {
        if (!v->def() || !producer_kind(*v->def())) continue;
        Rewriter rw(g);
        why = rw.fusion_blocker({v->def(), e});
        if (!why.empty()) continue;
        rw.fuse({v->def(), e});
        ++fused;
        return;
      }
      ctx.remark(name(), e->result()->name(), "not fused: " + why, RemarkKind::Missed);
    });
    return {fused > 0, {"fused " + std::to_string(fused) + " elementwise ops into their producers"}};
  }
};

}  // namespace

std::unique_ptr<Pass> create_fuse_elementwise_pass() { return std::make_unique<FuseElementwise>(); }

}  // namespace lmc::passes
