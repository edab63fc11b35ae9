// What a pass may consult besides the graph and its options: a sink for remarks, and a
// cost model for passes that want measurements. passes/ never includes codegen/ or runtime/: the driver plugs a
// timer into CostModel.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "ir/type.h"

namespace lmc::passes {

struct Remark {
  std::string pass;
  std::string where;  // the value concerned ("v", shown %v), or "@g" for the whole graph
  std::string message;

  // "pass: %v: message" (a remark on the whole graph: "pass: @g: message"), as --remarks
  // prints it and --verify-diagnostics matches it.
  std::string text() const { return pass + ": " + (where.starts_with('@') ? "" : "%") + where + ": " + message; }
};

class CostModel {
 public:
  virtual ~CostModel() = default;
  // Seconds one decode-step (T=1) linear of this weight type takes on this machine.
  virtual double linear_seconds(const ir::Type& weight) = 0;
};

struct PassContext {
  std::vector<Remark> remarks;
  CostModel* cost_model = nullptr;

  void remark(const std::string& pass, const std::string& where, const std::string& message) {
    remarks.push_back({pass, where, message});
  }
};

}  // namespace lmc::passes
