// What codegen needs to know of one op to generate its kernel: kind, operand and
// result types (static dims specialise the code), attributes. Ops whose descriptors
// print the same key share one kernel.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "ir/attribute.h"
#include "ir/graph.h"
#include "ir/type.h"

namespace lmc::codegen {

struct KernelDesc {
  std::string kind;                  // the IR op name: "linear", "rms_norm", ...
  std::vector<ir::Type> operands;
  std::vector<ir::Type> results;
  ir::AttrMap attrs;
  std::shared_ptr<const ir::Graph> body;  // a fusion's body (its own copy), else nullptr
  std::string key() const;           // canonical signature text
};

// How many work items a kernel splits into: items = per_sym * syms[sym] (or
// `fixed` when it does not depend on a symbol), and the grain below which a
// split does not pay.
struct KernelInfo {
  bool uses_sym = false;
  ir::Sym sym = ir::Sym::T;
  int64_t per_sym = 1;
  int64_t fixed = 1;
  int64_t grain = 1;
  int64_t items(const int64_t* syms) const {
    return uses_sym ? per_sym * syms[static_cast<int>(sym)] : fixed;
  }
};

}  // namespace lmc::codegen
