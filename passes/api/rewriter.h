// The edits passes make to a graph, behind one small API so that no pass splices
// op lists by hand: replace a value, erase an op, move weights up, group ops into a
// fusion region. Value names stay stable: what a dump called %q0 before a rewrite
// it still calls %q0 after, wherever that value now lives.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace lmc::passes {

class Rewriter {
 public:
  explicit Rewriter(ir::Graph& g) : g_(g) {}

  // Every use of `from` reads `to`, which takes from's name; `from`'s op is erased
  // when nothing else reads its results.
  void replace(ir::Value* from, ir::Value* to);
  void erase(ir::Op* op);
  // Moves the ops computing weights (params, and transforms of params such as a rank's
  // slice) that define `values` before `at`, so a rewrite inserted at `at` may read them.
  void hoist_weights(const std::vector<ir::Value*>& values, const ir::Op* at);

  // Why `ops` cannot run as one kernel, or "" when they can: a value leaving the
  // group and coming back through an op outside it would make a cycle, or the
  // region is not one codegen can generate (ir/fusion_region.h says which are).
  std::string fusion_blocker(const std::vector<ir::Op*>& ops) const;
  // Groups `ops` into one fusion op (fusions among them are inlined into it): the
  // values it reads from outside become its operands, the values read after it (or
  // returned) its results, named as before. Throws lmc::Error if fusion_blocker()
  // objects.
  ir::Op* fuse(const std::vector<ir::Op*>& ops);
  // A copy of `op` reading the same operands, right after it, so that each of
  // several consumers can fuse its own (a norm before three projections).
  ir::Op* duplicate(ir::Op* op);

 private:
  ir::Graph& g_;
  struct Grouping {
    std::vector<ir::Op*> members;  // program order
    std::unique_ptr<ir::Graph> body;
    std::vector<ir::Value*> operands, escaping;
  };
  Grouping group(const std::vector<ir::Op*>& ops) const;
  std::string cycle_blocker(const std::vector<ir::Op*>& ops) const;
  void restore_order(ir::OpIter begin, ir::OpIter end);
};

}  // namespace lmc::passes
