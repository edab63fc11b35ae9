// fuse-gate-up: a gated MLP computes act(gate(x)) * up(x); the gate and up
// projections read the same x, so one linear over both weights replaces two and x
// is streamed once. A mixture of experts' gated MLPs are expert_linears of stacked
// weights through the same chosen experts: one expert_linear over each expert's gate
// and up rows replaces two, so each chosen expert's call reads x once.
//
// Pattern: mul(a, b) where one side traces back (through gelu, gelu_tanh, silu) to a
// linear (an expert_linear) and the other is one on the same input. Guard:
// sibling_fusion_blocker (for experts also: the same expert ids).
// Result: linear(x, concat(wg, wu)) and a split of its last axis into gate and up;
// linear(x, wg, wu) where the file stores the two in different block types. A projection an
// earlier pass put inside a region cannot be merged: a remark on the product says which, and
// the lost pairs are counted per earlier pass (Pass::candidates).
#include "passes/api/pattern.h"
#include "passes/transforms/builtin_passes.h"
#include "passes/transforms/horizontal_fusion.h"

namespace lmc::passes {

namespace {

// A linear, or the experts' linear of a mixture of experts.
ir::Op* projection(const ir::Value* v) {
  ir::Op* l = defined_by(v, "linear");
  return l ? l : defined_by(v, "expert_linear");
}

ir::Value* gated(ir::Value* v) { return skip_back(v, {"gelu", "gelu_tanh", "silu"}); }

ir::Op* gate_side(ir::Value* v) { return projection(gated(v)); }

// Why gate or up has no projection to merge when an earlier pass put it in a region (the
// other side being a projection or a region too); "" else.
std::string grouped_early(ir::Op* mul) {
  std::string gate = projection_in_region(gated(mul->operand(0)));
  std::string up = projection_in_region(mul->operand(1));
  const bool gate_seen = !gate.empty() || gate_side(mul->operand(0));
  const bool up_seen = !up.empty() || projection(mul->operand(1));
  if (!gate_seen || !up_seen) return "";
  return !gate.empty() ? gate : up;
}

// The product's gate and up projections when they are two linears to merge: the gate's
// activation between (or the product reads the gate linear's result itself).
bool two_projections(ir::Op* mul, ir::Op* gate, ir::Op* up) {
  return gate && up && gate != up && gate->result() != mul->operand(0);
}

class FuseGateUp : public Pass {
 public:
  std::string summary() const override { return "merge gate and up projections sharing an input into one linear"; }

  PassResult run(ir::Graph& g, PassContext& ctx) override {
    int fused = 0;
    for (ir::Op* mul : ops_of_kind(g, "mul")) {
      ir::Op* gate = gate_side(mul->operand(0));
      ir::Op* up = projection(mul->operand(1));
      if (!gate || !up) {
        if (std::string why = grouped_early(mul); !why.empty())
          ctx.remark(name(), mul->result()->name(), "not fused: " + why, RemarkKind::Missed);
        continue;
      }
      if (!two_projections(mul, gate, up)) continue;
      std::vector<ir::Op*> pair{gate, up};
      if (std::string why = sibling_fusion_blocker(g, pair); !why.empty()) {
        ctx.remark(name(), gate->result()->name(), "not fused: " + why, RemarkKind::Missed);
        continue;
      }
      if (std::string parts = block_type_parts(pair); !parts.empty())
        ctx.remark(name(), pair[0]->result()->name(), "fused across block types: " + parts);
      fuse_sibling_linears(g, pair, "gate_up");
      ++fused;
    }
    return {fused > 0, {"fused " + std::to_string(fused) + " gate+up pairs"}};
  }

  // Each product's gate and up projections, by their values' names (passes/placement.h).
  std::optional<std::vector<Place>> candidates(ir::Graph& g) const override {
    std::vector<Place> out;
    for (ir::Op* mul : ops_of_kind(g, "mul")) {
      ir::Op* gate = gate_side(mul->operand(0));
      ir::Op* up = projection(mul->operand(1));
      if (two_projections(mul, gate, up)) out.push_back(sorted_names({gate, up}));
    }
    return out;
  }
};

}  // namespace

std::unique_ptr<Pass> create_fuse_gate_up_pass() { return std::make_unique<FuseGateUp>(); }

}  // namespace lmc::passes
