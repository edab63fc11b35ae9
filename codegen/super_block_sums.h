// The end of an integer-scaled super-block of q4_k or q5_k weights (super_blocks.h,
// integer_scales), one function for every linear path — row-major decode, the repacking
// int8 GEMM, the panels' decode and prefill — so that a row's numbers are the same bits on
// each. The caller sums the pieces' exact i32 products times their integer scales; here the
// mins' Σ min·Σq comes off in integers (pmaddwd of two pieces' mins against the row's two
// Σq), and the two sums are scaled into f32 once: acc + d·xs·Σ − dmin·xs·Σmin.
#pragma once
#include <array>

#include "codegen/quantized_rows.h"

namespace lmc::codegen {

// i32 lanes whose low i16 is `low`'s and high i16 `high`'s: pmaddwd weights.
llvm::Value* i16_pairs(Builder& b, llvm::Value* low, llvm::Value* high);

// A super-block's eight pieces' mins (i32 lanes, one column each) as four pmaddwd weights
// of two pieces each.
std::array<llvm::Value*, 4> min_pairs(Builder& b, const std::array<llvm::Value*, 8>& mins);

// acc + d·xs·isum − dmin·xs·Σ_j min_j·Σq_j for input row `slot` and super-block `super`:
// `isum` the pieces' Σ scale·Σ q·x (i32 lanes), `pairs` their min_pairs, `d` and `dmin`
// the super-blocks' f32 lanes, xs the row's q8_K scale.
llvm::Value* add_super_block(Builder& b, const QuantizedRows& in, llvm::Value* slot, llvm::Value* super,
                             llvm::Value* isum, const std::array<llvm::Value*, 4>& pairs, llvm::Value* d,
                             llvm::Value* dmin, llvm::Value* acc);

}  // namespace lmc::codegen
