// fuse-down-act: in a gated MLP the down projection reads act(gate) * up. Putting the
// activation, the product and the split of gate|up in the prologue of the down
// projection's region removes two kernels and the [T, ffn] buffer they wrote: the
// kernel computes act(gate) * up as it loads each input value. An experts' down
// projection (expert_linear) takes no prologue: there the split, the activation and the
// product become one loop over the experts' [T, k, 2 ffn] gate|up, which removes the
// split's copy and one kernel.
//
// Pattern: below (gate and up are the two halves of one split, as fuse-gate-up leaves
// them). Guard: the halves are equal and along the last axis; the split, the
// activation and the product have no other readers. Result: one fusion of the four
// (of the three before an expert_linear).
#include <optional>

#include "ir/op_registry.h"
#include "passes/transforms/builtin_passes.h"
#include "passes/api/op_pattern.h"
#include "passes/api/pattern.h"
#include "passes/api/rewriter.h"

namespace lmc::passes {

namespace {

// The product feeding the projection (a linear, or an experts' expert_linear, which reads
// ids beside), whatever gate and up come from: where it matches but down_act() does not, a
// remark says what is missing.
const OpPattern& gated_product() {
  static const OpPattern p(R"(
    %a = any(gelu, gelu_tanh, silu) %g
    %m = mul %a, %u
    %d = any(linear, expert_linear) %m, %w, ...
  )");
  return p;
}

const OpPattern& down_act() {
  static const OpPattern p(R"(
    %g, %u = split %gu
    %a = any(gelu, gelu_tanh, silu) %g
    %m = mul %a, %u
    %d = any(linear, expert_linear) %m, %w, ...
  )");
  return p;
}

// What one fusion joins: the down projection too when it takes a prologue (ir/op_traits.h).
std::vector<ir::Op*> members(const Match& m) {
  std::vector<ir::Op*> ops{m.op("g"), m.op("a"), m.op("m")};
  if (ir::traits(*m.op("d")).input_prologue) ops.push_back(m.op("d"));
  return ops;
}

std::string blocker(ir::Graph& g, const Match& m) {
  const ir::Op* split = m.op("g");
  if (split->attr_int("axis") != static_cast<int64_t>(split->operand(0)->type().rank()) - 1)
    return "split is not along the last axis";
  const auto& sizes = split->attr_ints("sizes");
  if (sizes[0] != sizes[1]) return "halves differ in size";
  for (const char* v : {"a", "m", "g", "u"})
    if (!has_single_use(g, m.value(v))) return "%" + m.value(v)->name() + " has other users";
  return Rewriter(g).fusion_blocker(members(m));
}

class FuseDownAct : public Pass {
 public:
  std::string summary() const override { return "compute act(gate)*up in the down projection's prologue"; }

  PassResult run(ir::Graph& g, PassContext& ctx) override {
    int fused = 0;
    gated_product().for_each(g, [&](const Match& product) {
      std::optional<Match> full = down_act().match(product.op("d"));
      if (!full) {
        ctx.remark(name(), product.value("d")->name(),
                   "not fused: gate and up are not the halves of one split (run fuse-gate-up)");
        return;
      }
      const Match& m = *full;
      if (std::string why = blocker(g, m); !why.empty()) {
        ctx.remark(name(), m.value("d")->name(), "not fused: " + why);
        return;
      }
      Rewriter(g).fuse(members(m));
      ++fused;
    });
    return {fused > 0, {"fused " + std::to_string(fused) + " down projections with their activation"}};
  }
};

}  // namespace

std::unique_ptr<Pass> create_fuse_down_act_pass() { return std::make_unique<FuseDownAct>(); }

}  // namespace lmc::passes
