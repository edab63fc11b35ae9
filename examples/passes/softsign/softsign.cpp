// softsign (an example plugin that adds an op): registers the elementwise op
// softsign(x) = x / (1 + |x|), whose kernels codegen writes from the expression as it does
// the built-in ones, and the pass tanh-to-softsign, which puts it where a graph has tanh
// (a cheaper squashing function with the same sign, range and slope at 0: a researcher's
// experiment, not a rewrite that keeps the numbers).
//
// Pattern: %y = tanh %x.
// Guard: none; every tanh is replaced.
// Result: %y = softsign %x, the same name and type.
#include "ir/graph.h"
#include "ir/op_registry.h"
#include "ir/scalar_expr.h"
#include "passes/api/op_pattern.h"
#include "passes/api/rewriter.h"
#include "passes/plugin_loader.h"

namespace {

using namespace lmc;

const passes::OpPattern& tanh_op() {
  static const passes::OpPattern p("%y = tanh %x");
  return p;
}

class TanhToSoftsign : public passes::Pass {
 public:
  std::string name() const override { return "tanh-to-softsign"; }
  std::string summary() const override { return "replace tanh by the softsign op this plugin adds"; }

  passes::PassResult run(ir::Graph& g, passes::PassContext& ctx) override {
    int replaced = 0;
    tanh_op().for_each(g, [&](const passes::Match& m) {
      ir::Op* tanh = m.op("y");
      auto op = std::make_unique<ir::Op>("softsign", tanh->operands(), ir::AttrMap{});
      op->add_result(tanh->result()->name(), tanh->result()->type());
      ir::Op* softsign = g.insert(std::next(g.find(tanh)), std::move(op));
      passes::Rewriter(g).replace(tanh->result(), softsign->result());  // erases the tanh
      ctx.remark(name(), softsign->result()->name(), "tanh replaced by softsign");
      ++replaced;
    });
    return {replaced > 0, {"replaced " + std::to_string(replaced) + " tanh ops"}};
  }
};

void register_passes(passes::PassRegistry* registry) {
  // The op first: the pass's graphs and the IR parser need it to exist.
  using namespace lmc::ir::sx;
  ir::register_elementwise_op("softsign", 1, {}, div(in(0), add(c(1), abs(in(0)))), "x / (1 + |x|)");
  registry->add("tanh-to-softsign", [] { return std::make_unique<TanhToSoftsign>(); });
}

}  // namespace

extern "C" const lmc_pass_plugin_info* lmc_get_pass_plugin_info() {
  static const lmc_pass_plugin_info info{LMC_PASS_PLUGIN_API_VERSION, "softsign", register_passes};
  return &info;
}
