// Vectorised elementary functions for emitters. LLVM's exp/tanh intrinsics lower to
// one libm call per lane, so these are polynomial approximations built from plain
// vector instructions (~1e-6 relative error in f32). Each accepts a float scalar or
// a float vector.
#pragma once
#include <string_view>

#include "codegen/llvm_helpers.h"

namespace lmc::codegen {

llvm::Value* emit_exp(Builder& b, llvm::Value* x);
llvm::Value* emit_tanh(Builder& b, llvm::Value* x);
llvm::Value* emit_sigmoid(Builder& b, llvm::Value* x);
// x * sigmoid(x)
llvm::Value* emit_silu(Builder& b, llvm::Value* x);
// 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
llvm::Value* emit_gelu_tanh(Builder& b, llvm::Value* x);
// 0.5 x (1 + erf(x / sqrt 2))
llvm::Value* emit_gelu(Builder& b, llvm::Value* x);

// sin and cos of an f64 scalar or vector, rounded to f32 (absolute error < 2e-9
// before rounding). The argument is reduced in f64, so large angles such as rope's
// position * frequency at long contexts keep their accuracy.
struct SinCos {
  llvm::Value* sin;
  llvm::Value* cos;
};
SinCos emit_sincos_f64_to_f32(Builder& b, llvm::Value* x);

// The activations a fused linear (attr `act`) may name: "gelu_tanh", "silu", "gelu".
// emit_activation throws lmc::Error on any other name.
bool is_activation(std::string_view name);
llvm::Value* emit_activation(Builder& b, std::string_view name, llvm::Value* x);

}  // namespace lmc::codegen
