// Which ops must finish before which, by the data dependencies alone: for ops in an
// order where producers come first, one bit set of transitive producers per op.
// The memory plan asks it whether sharing bytes needs an ordering edge; the
// executor asks it which edges the flow graph already has implicitly.
#pragma once
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "ir/graph.h"

namespace lmc::runtime {

class OpAncestry {
 public:
  explicit OpAncestry(const std::vector<const ir::Op*>& order);
  // Whether `a` is a (transitive) producer of an operand of `b`.
  bool precedes(const ir::Op* a, const ir::Op* b) const;

 private:
  size_t words_;
  std::vector<std::vector<uint64_t>> bits_;
  std::unordered_map<const ir::Op*, size_t> index_;
};

}  // namespace lmc::runtime
