// One linear kernel case shared by the linear kernel tests (test_linear_kernel.cpp for
// shapes, regions, row and thread counts and descriptors; test_linear_kernel_bits.cpp for
// the bits block types give): the weight type and shape, the fusion region around the
// linear, its descriptor, and its operands with the reference output and tolerances.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "codegen/kernel_desc.h"
#include "ir/dtype.h"
#include "tests/codegen/kernel_test_util.h"

namespace lmc::test {

enum class Prologue { None, Norm, GateUp };

struct LinearCase {
  ir::DType wtype;
  int64_t K, N;
  Prologue prologue;
  std::string gate_act;  // GateUp: the input is gate_act(gate) * up of x = gate|up
  bool bias, residual;
  std::string out_act;   // applied last, after bias and residual
  bool fused() const { return prologue != Prologue::None || bias || residual || !out_act.empty(); }
};

// The plain linear op, or a fusion body around it. Kernel arguments: x, [norm
// weight g], w, [bias b], [residual r], then the output.
codegen::KernelDesc linear_desc(const LinearCase& c, ir::Dim rows = T());

// Operands and expected output of one case at T rows.
struct LinearData {
  std::vector<float> x, g, wf, bias, res, y;
  std::vector<uint8_t> wq;
  std::vector<double> expect, tolerance;

  LinearData(const LinearCase& c, int64_t T, uint32_t seed);
  const void* weights() const { return wq.empty() ? static_cast<const void*>(wf.data()) : wq.data(); }
  // The linear's input [T, K] through the reference prologue.
  std::vector<double> input_rows(const LinearCase& c, int64_t T) const;
  std::vector<double> tolerances(const LinearCase& c, int64_t T, const std::vector<double>& in) const;
  // The kernel's arguments, in linear_desc's order.
  std::vector<void*> args(const LinearCase& c);
};

// "q8_0 K=96 N=37 rms_norm bias silu": for failure messages.
std::string case_name(const LinearCase& c);

}  // namespace lmc::test
