// fuse-down-act: in a gated MLP the down projection reads act(gate) * up. Folding the
// activation and the product into the down projection's input read removes two
// elementwise kernels and the [T, ffn] intermediate they write: the kernel computes
// act(gate)*up as it loads each input block.
//
// Pattern: linear(mul(act(gate), up), W) where gate and up are the two halves of one
// split of a [.., 2F] value (as fuse-gate-up leaves them), act in {gelu, gelu_tanh,
// silu}. Guard: the mul, the activation and both halves have no other users.
// Result: linear(gate_up, W) {act = "<act>"}.
#include "passes/builtin_passes.h"
#include "passes/pattern.h"

namespace lmc::passes {

namespace {

bool is_activation(const ir::Op* op) {
  return op && (op->kind() == "gelu" || op->kind() == "gelu_tanh" || op->kind() == "silu");
}

class FuseDownAct : public Pass {
 public:
  std::string name() const override { return "fuse-down-act"; }
  std::string summary() const override { return "fold act(gate)*up into the down projection's input"; }

  PassResult run(ir::Graph& g, PassContext& ctx) override {
    int fused = 0;
    for (ir::Op* down : ops_of_kind(g, "linear")) {
      if (down->has_attr("act")) continue;
      ir::Op* mul = defined_by(down->operand(0), "mul");
      ir::Op* act = mul ? mul->operand(0)->def() : nullptr;
      if (!mul || !is_activation(act)) continue;
      ir::Op* split = defined_by(act->operand(0), "split");
      std::string why = blocker(g, mul, act, split);
      if (!why.empty()) {
        ctx.remark(name(), down->result()->name(), "not fused: " + why);
        continue;
      }
      down->set_operand(0, split->operand(0));
      down->attrs()["act"] = act->kind();
      g.erase(mul);
      g.erase(act);
      g.erase(split);
      ++fused;
    }
    return {fused > 0, {"fused " + std::to_string(fused) + " down projections with their activation"}};
  }

 private:
  static std::string blocker(const ir::Graph& g, ir::Op* mul, ir::Op* act, ir::Op* split) {
    if (!split || split->num_results() != 2) return "gate and up are not the halves of one split (run fuse-gate-up)";
    if (act->operand(0) != split->result(0) || mul->operand(1) != split->result(1))
      return "gate and up are not the first and second halves";
    int64_t axis = split->attr_int("axis");
    if (axis != static_cast<int64_t>(split->operand(0)->type().rank()) - 1) return "split is not along the last axis";
    const auto& sizes = split->attr_ints("sizes");
    if (sizes[0] != sizes[1]) return "halves differ in size";
    for (const ir::Value* v : {mul->result(), act->result(), split->result(0), split->result(1)})
      if (!has_single_use(g, v)) return "%" + v->name() + " has other users";
    return "";
  }
};

}  // namespace

std::unique_ptr<Pass> create_fuse_down_act_pass() { return std::make_unique<FuseDownAct>(); }

}  // namespace lmc::passes
