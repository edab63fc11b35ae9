// The cost model the measuring passes ask (quant-threshold's and fuse-elementwise's measured
// modes, tune-prefill):
// it generates a linear kernel for the target, runs it on random valid weights on this
// machine, one thread, and reports the median time. Which prefill kernels a target offers
// is codegen's answer (codegen/prefill_choice.h), the same the emitters follow; a target
// this host cannot run (code for another machine) offers them all the same, to be forced,
// but times none. Lives in driver/ so passes/ never depends on codegen/.
#pragma once
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "codegen/target.h"
#include "passes/api/pass_context.h"

namespace lmc::driver {

class KernelCostModel : public passes::CostModel {
 public:
  explicit KernelCostModel(codegen::TargetSpec target = codegen::baseline_target());
  double linear_seconds(const ir::Type& weight) override;
  std::vector<ir::PrefillKernel> prefill_kernels(const ir::Op& op) override;
  bool times_prefill() override;
  // Times a slice of the weights' columns (256 of each part, 512 when thorough: enough to
  // be representative, K whole) and scales the median to the whole weight.
  double prefill_seconds(const passes::PrefillCall& call) override;
  // Times the linear with the op in its epilogue, and the linear and the op's own kernel,
  // on a slice of 256 of the weight's columns, and scales both to the whole weight.
  passes::EpilogueSeconds epilogue_seconds(const passes::EpilogueCall& call) override;

 private:
  codegen::TargetSpec target_;
  std::function<bool(std::string_view)> has_;  // the target's features, asked once
  bool runs_here_ = false;                      // this host can run the target's code

  void ask_target();
  // Seconds by the timed kernel's key and rows: a shape (or slice) shared is timed once.
  std::map<std::string, double> cache_;
};

}  // namespace lmc::driver
