// fuse-residual-add (an example plugin pass): a residual connection adds a block's
// input to the output of its last projection. Folding that add into the linear
// (its `residual` operand) lets the kernel add each output row as it stores it, so
// the [T, d_model] projection output is never written and read back.
//
// Pattern: %z = add %y, %r (or add %r, %y) where %y = linear %x, %w [, %b].
// Guard: %y has no other user and is not a graph output; the linear has no residual
// yet. Result: %z = linear %x, %w [, %b], %r {residual = 1}, placed where the add was
// (both %y and %r are defined by then), keeping the linear's other attributes.
#include "ir/builder.h"
#include "passes/pattern.h"
#include "passes/plugin_loader.h"

namespace {

using namespace lmc;

// The operand of `add` that a fusable linear defines, or -1.
int fusable_side(const ir::Graph& g, const ir::Op* add) {
  for (int side : {0, 1}) {
    const ir::Value* y = add->operand(side);
    const ir::Op* lin = passes::defined_by(y, "linear");
    if (lin && !lin->has_attr("residual") && passes::has_single_use(g, y)) return side;
  }
  return -1;
}

void fuse(ir::Graph& g, ir::Op* add, int side) {
  ir::Op* lin = add->operand(side)->def();
  std::vector<ir::Value*> operands = lin->operands();
  operands.push_back(add->operand(1 - side));
  ir::AttrMap attrs = lin->attrs();
  attrs["residual"] = int64_t{1};
  const std::string name = add->result()->name();

  ir::Builder b(g, g.find(add));
  ir::Value* fused = b.op("linear", operands, attrs, name);
  g.replace_all_uses(add->result(), fused);
  g.erase(add);
  g.erase(lin);
  fused->set_name(name);  // the add's name is free again: dumps keep reading the same
}

class FuseResidualAdd : public passes::Pass {
 public:
  std::string name() const override { return "fuse-residual-add"; }
  std::string summary() const override { return "fold a residual add into the linear that feeds it"; }

  passes::PassResult run(ir::Graph& g, passes::PassContext& ctx) override {
    int fused = 0;
    for (ir::Op* add : passes::ops_of_kind(g, "add")) {
      int side = fusable_side(g, add);
      if (side < 0) continue;
      ctx.remark(name(), add->result()->name(), "residual folded into %" + add->operand(side)->name());
      fuse(g, add, side);
      ++fused;
    }
    return {fused > 0, {"fused " + std::to_string(fused) + " residual adds into linears"}};
  }
};

void register_passes(passes::PassRegistry* registry) {
  registry->add("fuse-residual-add", [] { return std::make_unique<FuseResidualAdd>(); });
}

}  // namespace

extern "C" const lmc_pass_plugin_info* lmc_get_pass_plugin_info() {
  static const lmc_pass_plugin_info info{LMC_PASS_PLUGIN_API_VERSION, "fuse-residual-add", register_passes};
  return &info;
}
