// q6_kx16 weights (a file's Q6_K super-blocks in 16-row panels, ir/dtype.h) in the int8
// kernels: the register tiles of decode and prefill (linear_panels.cpp) and the AMX tiles
// (tile_panels.h). A piece's halves (values 0..15: its chunks' low nibbles, 16..31: the
// high ones) have a scale each, so each half's byte madds are summed apart, two chunks in
// i16 (i16_quads) and weighted by the half's scale as they widen to i32 (pmaddwd, or
// VNNI's vpdpwssd); the super-block's zero point comes off in integers, 32·Σ scale·Σq, and
// the sum is scaled into f32 once by d and the row's q8_K scale. The same exact i32 sum and
// the same one scaling as the row-major q6_k paths (linear_decode.cpp, dot_integer_scaled),
// so a row's output has the same bits on either layout (test_linear_kernel_bits).
#pragma once
#include "codegen/llvm/linear/panel_chunks.h"
#include "codegen/llvm/linear/quantized_rows.h"

namespace lmc::codegen {

// Super-block `super`'s end for input rows `slots` x `groups` groups of the panel's
// columns: `isums` the halves' Σ scale·Σ q·x and `acc` the f32 sums so far, both
// [row][group] (8 lanes, or the panel's 16 in one register). Returns acc + d·xs·(isum −
// 32·Σ scale·Σq), lane by lane the same operations at either width.
Carried end_six_bit_super(Builder& b, const QuantizedRows& in, const WeightPanel& p,
                          const std::vector<llvm::Value*>& slots, int groups, llvm::Value* super, const Carried& isums,
                          const Carried& acc);

// The f32 sums over all super-blocks of input rows `slots` x the panel's 16 columns:
// [row][group], 8 lanes each. With 512-bit VNNI a row's 16 columns are one register until
// the end.
Carried six_bit_tile_sums(Builder& b, const QuantizedRows& in, const WeightPanel& p,
                          const std::vector<llvm::Value*>& slots);

}  // namespace lmc::codegen
