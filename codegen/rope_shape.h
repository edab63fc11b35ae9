// The static shape of a rope (codegen/llvm/region/rope_tables.h reads it), validated from its
// descriptor. Free of LLVM, so a rope's contract can be checked without generating it.
#pragma once
#include <string>
#include <vector>

#include "codegen/desc_access.h"

namespace lmc::codegen {

// A scaling of the frequencies (ir.md: rope): none, linear (all divided by factor), llama3
// (low frequencies divided by factor, the band between blended), yarn (the pairs that
// turn fewer than beta_slow times over original_context divided by factor, those turning
// more than beta_fast times kept, a linear ramp over the pairs between) or dynamic (NTK:
// per row, past original_context, the base grown with the row's position; see
// dynamic_exponent).
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

// Dynamic NTK scaling (Hugging Face's "dynamic"): a row at position p, L = p + 1 > original_context,
// takes base * s^(d/(d-2)), s = factor * L / original_context - (factor - 1), d the rotary
// dim; so pair i's frequency is multiplied by s^(-2i/(d-2)) = e^(i * dynamic_exponent · ln s).
// Each row's own length, not its step's: a result does not depend on how a prompt is cut into
// steps (Hugging Face's single forward over a long prompt scales it all by its last length).
inline double dynamic_exponent(const RopeShape& s) { return -2.0 / static_cast<double>(s.rotary_dim - 2); }

// The most lanes a vector step over a rope's columns may take so that it never straddles a
// half head (neox), a pair or the rotary part: a power of two dividing `lanes`.
unsigned rotation_lanes(const RopeShape& s, unsigned lanes);

// Throws lmc::Error naming the kernel key when d is not a rope the emitter handles.
RopeShape rope_shape(const KernelDesc& d);

}  // namespace lmc::codegen
