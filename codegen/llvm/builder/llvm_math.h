// Vectorised elementary functions for emitters. LLVM's exp/tanh intrinsics lower to
// one libm call per lane, so these are polynomial approximations built from plain
// vector instructions (~1e-6 relative error in f32). Each accepts a float scalar or
// a float vector.
#pragma once
#include "codegen/llvm/builder/llvm_helpers.h"

namespace lmc::codegen {

llvm::Value* emit_exp(Builder& b, llvm::Value* x);
// tanh(x) within a few ulp over every f32 (NaN gives NaN).
llvm::Value* emit_tanh(Builder& b, llvm::Value* x);
// erfc(z) for z >= 0 (fractional error below 1.2e-7).
llvm::Value* emit_erfc_nonneg(Builder& b, llvm::Value* z);

// sin and cos of an f64 scalar or vector, rounded to f32 (absolute error < 2e-9
// before rounding). The argument is reduced in f64, so large angles such as rope's
// position * frequency at long contexts keep their accuracy.
struct SinCos {
  llvm::Value* sin;
  llvm::Value* cos;
};
SinCos emit_sincos_f64_to_f32(Builder& b, llvm::Value* x);

// ln x for finite x >= 1 and e^x for -700 <= x <= 0, f64 scalars or vectors, within a few
// ulp of f64: what a rope computes once per row (dynamic NTK scaling's frequencies).
llvm::Value* emit_log_f64_at_least_one(Builder& b, llvm::Value* x);
llvm::Value* emit_exp_f64_nonpositive(Builder& b, llvm::Value* x);

}  // namespace lmc::codegen
