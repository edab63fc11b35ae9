// The cost model quant-threshold's measured mode asks: it generates the decode (T=1)
// linear kernel for a weight type, runs it on random data on this machine and reports
// the median time. Lives in driver/ so passes/ never depends on codegen/.
#pragma once
#include <map>
#include <string>

#include "passes/api/pass_context.h"

namespace lmc::driver {

class KernelCostModel : public passes::CostModel {
 public:
  double linear_seconds(const ir::Type& weight) override;

 private:
  std::map<std::string, double> cache_;  // by weight type: shared shapes are timed once
};

}  // namespace lmc::driver
