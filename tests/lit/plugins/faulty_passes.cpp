// Two passes with faults of their own, for pass_manager/pass_faults.lir: a pattern that
// does not parse, and a fuse() of ops no kernel can run that no guard asked about first.
// The pass manager must say which pass failed.
#include "passes/api/op_pattern.h"
#include "passes/api/rewriter.h"
#include "passes/plugin_loader.h"

namespace {

using namespace lmc;

class BadPattern : public passes::Pass {
 public:
  std::string name() const override { return "test-bad-pattern"; }
  std::string summary() const override { return "matches with a pattern that does not parse"; }
  passes::PassResult run(ir::Graph& g, passes::PassContext&) override {
    static const passes::OpPattern p("%y = linear %x, %w\n%z = frobnicate %y\n");
    return {p.for_each(g, [](const passes::Match&) {}) > 0, {}};
  }
};

// Fuses every linear with the op that reads it, without asking fusion_blocker.
class UnguardedFuse : public passes::Pass {
 public:
  std::string name() const override { return "test-unguarded-fuse"; }
  std::string summary() const override { return "fuses a linear with its reader, unguarded"; }
  passes::PassResult run(ir::Graph& g, passes::PassContext&) override {
    static const passes::OpPattern p("%y = linear %x, %w\n%z = any(row-reduction) %y, ...\n");
    int fused = p.for_each(g, [&](const passes::Match& m) { passes::Rewriter(g).fuse({m.op("y"), m.op("z")}); });
    return {fused > 0, {}};
  }
};

void register_passes(passes::PassRegistry* registry) {
  registry->add("test-bad-pattern", [] { return std::make_unique<BadPattern>(); });
  registry->add("test-unguarded-fuse", [] { return std::make_unique<UnguardedFuse>(); });
}

}  // namespace

extern "C" const lmc_pass_plugin_info* lmc_get_pass_plugin_info() {
  static const lmc_pass_plugin_info info{LMC_PASS_PLUGIN_API_VERSION, "faulty-passes", register_passes};
  return &info;
}
