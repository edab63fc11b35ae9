// dce: removes ops none of whose results is read or returned — what fusion and
// folding leave behind (the unfused weights' params, for one).
#include "passes/transforms/builtin_passes.h"

#include <unordered_set>

namespace lmc::passes {

namespace {

class Dce : public Pass {
 public:
  std::string summary() const override { return "remove ops whose results are unused"; }

  PassResult run(ir::Graph& g, PassContext&) override {
    std::unordered_set<const ir::Value*> live(g.outputs().begin(), g.outputs().end());
    int removed = 0;
    // Walking backwards, an op is dead when nothing later read its results.
    for (auto it = g.ops().end(); it != g.ops().begin();) {
      --it;
      ir::Op* op = it->get();
      bool used = false;
      for (size_t i = 0; i < op->num_results(); ++i) used = used || live.count(op->result(i));
      if (!used) {
        it = g.ops().erase(it);
        ++removed;
        continue;
      }
      for (const ir::Value* v : op->operands()) live.insert(v);
    }
    return {removed > 0, {"removed " + std::to_string(removed) + " dead ops"}};
  }
};

}  // namespace

std::unique_ptr<Pass> create_dce_pass() { return std::make_unique<Dce>(); }

}  // namespace lmc::passes
