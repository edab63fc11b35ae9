// What a pass may consult besides the graph and its options: a sink for remarks, a
// cost model for passes that want measurements, and a clock for those that keep to a time
// budget. passes/ never includes codegen/ or runtime/: the driver plugs a timer into
// CostModel.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "ir/prefill_kernel.h"
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

// One prefill step of a linear as the cost model times it: its kernel, its weight parts
// (one, or a fused linear's, each [N, K]) and the step's rows.
struct PrefillCall {
  ir::PrefillKernel kernel{};
  std::vector<ir::Type> weights;
  int64_t rows = 0;
  bool thorough = false;  // more repetitions and a wider slice of the columns (tune=full)
};

// A linear and one elementwise op after it, as fuse-elementwise weighs joining them: the
// linear's weight, the op's kind (sigmoid, silu, ...) and the step's rows.
struct EpilogueCall {
  ir::Type weight;
  std::string op;
  int64_t rows = 0;
};

// Seconds on one thread of this machine: the op in the linear's epilogue (one kernel), and
// the linear then the op's own kernel.
struct EpilogueSeconds {
  double fused = 0;
  double split = 0;
};

class CostModel {
 public:
  virtual ~CostModel() = default;
  // Seconds one decode-step (T=1) linear of this weight type takes on this machine.
  virtual double linear_seconds(const ir::Type& weight) = 0;
  // The prefill kernels the target offers `op` (a linear or an attention: trait
  // prefill_kernels), vnni first, each one that generates different code.
  virtual std::vector<ir::PrefillKernel> prefill_kernels(const ir::Op& op) = 0;
  // Whether prefill_seconds can time the target's kernels: not for code this host cannot run
  // (a cross compile), whose kernels may still be forced.
  virtual bool times_prefill() { return true; }
  // Seconds the call takes on one thread of this machine (the whole weight's columns).
  virtual double prefill_seconds(const PrefillCall& call) = 0;
  virtual EpilogueSeconds epilogue_seconds(const EpilogueCall& call) = 0;
};

// Seconds from a fixed point: what a pass with a time budget reads.
using Clock = std::function<double()>;
inline double steady_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

struct PassContext {
  std::vector<Remark> remarks;
  CostModel* cost_model = nullptr;
  Clock clock = steady_seconds;  // tests give a fake one

  void remark(const std::string& pass, const std::string& where, const std::string& message,
              RemarkKind kind = RemarkKind::Passed) {
    remarks.push_back({pass, where, message, kind});
  }
};

}  // namespace lmc::passes
