// A cost model read from a file instead of measured, so a decision made on one machine can
// be reproduced on another, and tests can check that decisions follow the times (a cost
// model that ignored them would fail). `#` starts a comment; a line is either
//   <type> <seconds>                             a decode linear (quant-threshold measured),
//                                                e.g. `q8_0[2048,640] 1.2e-05`
//   prefill <kernel> <weights> <rows> <seconds>  a prefill linear (tune-prefill), e.g.
//                                                `prefill bf16_tiles q4_kx16[14336,4096] 512 0.0121`,
//   epilogue <weight> <op> <rows> <fused> <split>
//                                                a linear then an elementwise op (fuse-elementwise
//                                                measured), in one kernel and in two, e.g.
//                                                `epilogue q8_0x16[512,256] sigmoid 64 1.2e-05 1.1e-05`,
// <weights> being a fused linear's parts joined by `+` (`q8_0x16[1024,640]+q8_0x16[256,640]`).
// The prefill kernels the table offers a linear are vnni and those it has a line for with
// the linear's weights; an attention, vnni alone.
#pragma once
#include <map>
#include <set>
#include <string>

#include "passes/api/pass_context.h"

namespace lmc::driver {

class CostTable : public passes::CostModel {
 public:
  // Throws lmc::Error "<path>:<line>: error: ..." on a malformed line.
  explicit CostTable(const std::string& path);
  // Throws lmc::Error naming the file when it has no time for `weight`.
  double linear_seconds(const ir::Type& weight) override;
  std::vector<ir::PrefillKernel> prefill_kernels(const ir::Op& op) override;
  // Throws lmc::Error naming the file when it has no time for the call.
  double prefill_seconds(const passes::PrefillCall& call) override;
  // Throws lmc::Error naming the file when it has no times for the call.
  passes::EpilogueSeconds epilogue_seconds(const passes::EpilogueCall& call) override;

 private:
  std::string path_;
  std::map<std::string, double> seconds_;  // by the type as the IR prints it
  std::map<std::string, double> prefill_;  // by "<kernel> <weights> <rows>"
  std::map<std::string, passes::EpilogueSeconds> epilogue_;  // by "<weight> <op> <rows>"
  std::map<std::string, std::set<ir::PrefillKernel>> offered_;  // by <weights>
};

}  // namespace lmc::driver
