// A cost model read from a file instead of measured: one line per weight type,
// `<type> <seconds>` (e.g. `q8_0[2048,640] 1.2e-05`; `#` starts a comment). It replays the
// times a measured quant-threshold printed in its remarks, so a decision made on one
// machine can be reproduced on another, and tests can check that decisions follow the
// times (a cost model that ignored them would fail).
#pragma once
#include <map>
#include <string>

#include "passes/api/pass_context.h"

namespace lmc::driver {

class CostTable : public passes::CostModel {
 public:
  // Throws lmc::Error "<path>:<line>: error: ..." on a malformed line.
  explicit CostTable(const std::string& path);
  // Throws lmc::Error naming the file when it has no time for `weight`.
  double linear_seconds(const ir::Type& weight) override;

 private:
  std::string path_;
  std::map<std::string, double> seconds_;  // by the type as the IR prints it
};

}  // namespace lmc::driver
