// The end of an integer-scaled super-block of q4_k or q5_k weights (super_blocks.h,
// integer_scales), one function for every linear path — row-major decode, the repacking
// int8 GEMM, the panels' decode and prefill — so that a row's numbers are the same bits on
// each. The caller sums the pieces' exact i32 products times their integer scales; here the
// mins' Σ min·Σq comes off in integers (pmaddwd of two pieces' mins against the row's two
// Σq), and the two sums are scaled into f32 once: acc + d·xs·Σ − dmin·xs·Σmin.
#pragma once
#include <array>
#include <functional>

#include "codegen/llvm/linear/quantized_rows.h"

namespace lmc::codegen {

// i32 lanes whose low i16 is `low`'s and high i16 `high`'s: pmaddwd weights.
llvm::Value* i16_pairs(Builder& b, llvm::Value* low, llvm::Value* high);

// Super-block `super`'s end for a tile of input rows `slots` x `groups` groups of columns:
// `isums` the pieces' Σ scale·Σ q·x and `acc` the f32 sums so far, both [row][group] (i32
// and f32 lanes, a column each: 8, or a panel's 16 in one 512-bit register); `min_of(g,
// piece)` a piece's mins and `d_of(g)` the super-blocks' d and dmin (i32 and f32 lanes) of
// group g. Returns acc + each sum scaled, its mins off: lane by lane the same operations
// whatever the width, so the same bits.
Carried end_super_blocks(Builder& b, const QuantizedRows& in, const std::vector<llvm::Value*>& slots, int groups,
                         llvm::Value* super, const Carried& isums, const Carried& acc,
                         const std::function<llvm::Value*(int, int)>& min_of,
                         const std::function<std::array<llvm::Value*, 2>(int)>& d_of);

}  // namespace lmc::codegen
