// The static shape of a rope kernel (codegen/emit_rope.cpp), validated from its
// descriptor, and its work items. Free of LLVM, so which kernels a graph needs and how
// they split can be known without generating them.
#pragma once
#include <string>
#include <vector>

#include "codegen/desc_access.h"

namespace lmc::codegen {

// A scaling of the frequencies (ir.md: rope): none, linear (all divided by factor), llama3
// (low frequencies divided by factor, the band between blended) or yarn (the pairs that
// turn fewer than beta_slow times over original_context divided by factor, those turning
// more than beta_fast times kept, a linear ramp over the pairs between).
struct RopeScaling {
  std::string kind = "none";
  double factor = 1, low_freq_factor = 0, high_freq_factor = 0, original_context = 0;
  double beta_fast = 32, beta_slow = 1;
};

struct RopeShape {
  Rows x;
  int64_t head_dim = 0;
  int64_t rotary_dim = 0;  // the features that turn, the first of each head (head_dim unless partial)
  double base = 0;
  bool neox = true;
  RopeScaling scaling;
  bool factors = false;  // operand 2: per-pair divisors of the frequencies, read at run time
  double attn_factor = 1;  // cos and sin are multiplied by it (YaRN's and longrope's attention scaling)
  int64_t pairs() const { return rotary_dim / 2; }
};

// Pair i's angle per position: base^(-2i/rotary_dim), scaled; the operand's factors divide it
// at run time.
std::vector<double> rope_frequencies(const RopeShape& s);

// Throws lmc::Error naming the kernel key when d is not a rope the emitter handles.
RopeShape rope_shape(const KernelDesc& d);

// Rows.
KernelInfo rope_work_items(const KernelDesc& d);

}  // namespace lmc::codegen
