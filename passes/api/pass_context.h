// What a pass may consult besides the graph and its options: a sink for remarks, and a
// cost model for passes that want measurements. passes/ never includes codegen/ or runtime/: the driver plugs a
// timer into CostModel.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "ir/type.h"

namespace lmc::passes {

// As LLVM's optimization remarks: a transformation made, one not made (and why), or a fact
// a pass went by. Reports filter by it; --remarks prints them all alike.
enum class RemarkKind { Passed, Missed, Analysis };

// "passed", "missed", "analysis": as reports and the artifact's remarks section spell them.
inline const char* remark_kind_name(RemarkKind k) {
  return k == RemarkKind::Missed ? "missed" : k == RemarkKind::Analysis ? "analysis" : "passed";
}

struct Remark {
  std::string pass;
  std::string where;  // the value concerned ("v", shown %v), or "@g" for the whole graph
  std::string message;
  RemarkKind kind = RemarkKind::Passed;

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

  void remark(const std::string& pass, const std::string& where, const std::string& message,
              RemarkKind kind = RemarkKind::Passed) {
    remarks.push_back({pass, where, message, kind});
  }
};

}  // namespace lmc::passes
