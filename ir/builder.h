// Creates ops with result types inferred by the op table, at an insertion point.
#pragma once
#include <string>
#include <vector>

#include "ir/graph.h"

namespace lmc::ir {

class Builder {
 public:
  explicit Builder(Graph& g) : g_(g), at_(g.ops().end()) {}
  Builder(Graph& g, OpIter at) : g_(g), at_(at) {}
  void set_insertion_point(OpIter at) { at_ = at; }

  Value* param(const std::string& weight_name, Type type, const std::string& value_name);
  // One op; result names come from `names` (a hint each, made unique), or "v".
  std::vector<Value*> create(const std::string& kind, std::vector<Value*> operands, AttrMap attrs = {},
                             std::vector<std::string> names = {});
  Value* op(const std::string& kind, std::vector<Value*> operands, AttrMap attrs = {}, const std::string& name = "v") {
    return create(kind, std::move(operands), std::move(attrs), {name}).at(0);
  }
  // An op whose result type is declared rather than inferred (reshape).
  Value* declared(const std::string& kind, std::vector<Value*> operands, Type type, AttrMap attrs,
                  const std::string& name);

  Graph& graph() { return g_; }

 private:
  Graph& g_;
  OpIter at_;
};

}  // namespace lmc::ir
