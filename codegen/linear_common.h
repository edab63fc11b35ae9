// What the linear kernel's two code paths (decode: few rows, memory-bound;
// prefill: many rows, compute-bound) share: the validated shape of the op and the
// operand pointers inside the generated function.
#pragma once
#include <string>

#include "codegen/kernel_desc.h"
#include "codegen/llvm_helpers.h"

namespace lmc::codegen {

// From this many rows on, the blocked FMA path (prefill) beats the integer dot
// products of the decode path: it packs each weight panel once and then spends
// ~1.25 vector ops per 8 multiply-adds against ~2.5 for the int8 path.
constexpr int64_t kPrefillMinRows = 8;

struct LinearShape {
  int64_t K = 0;         // reduction length (w is [N,K])
  int64_t N = 0;         // output columns = work items
  ir::DType wtype = ir::DType::f32;  // f32 or q8_0
  bool has_bias = false;
  bool has_residual = false;
  std::string act;       // non-empty: operand 0 is gu[T,2K], input = act(gate) * up
  ir::Dim rows;          // T
  int64_t x_stride() const { return act.empty() ? K : 2 * K; }  // floats per input row
  int64_t w_row_bytes() const;
};

// Validates the descriptor against the linear contract (notes/ops.md); throws
// lmc::Error naming the kernel key on any mismatch.
LinearShape linear_shape(const KernelDesc& d);

struct LinearOperands {
  llvm::Value* x;     // f32 rows of x_stride() floats
  llvm::Value* w;
  llvm::Value* bias;  // nullptr when absent
  llvm::Value* res;   // nullptr when absent
  llvm::Value* y;
  llvm::Value* T;     // i64 rows
  llvm::Value* begin; // first output column of this call
  llvm::Value* end;
};

// `lanes` input values of row `row` from column k: x, or act(gate) * up.
llvm::Value* load_input(Builder& b, const LinearShape& s, llvm::Value* row_ptr, llvm::Value* k,
                        unsigned lanes);
// The same for the last `count` (< lanes) values of a row; other lanes are 0.
llvm::Value* load_input_tail(Builder& b, const LinearShape& s, llvm::Value* row_ptr, llvm::Value* k,
                             unsigned lanes, llvm::Value* count);
// &w[n, 0]
llvm::Value* weight_row(Builder& b, const LinearShape& s, const LinearOperands& o, llvm::Value* n);
// bias[n] + res[t, n] (0 for absent parts), scalar.
llvm::Value* output_addend(Builder& b, const LinearShape& s, const LinearOperands& o, llvm::Value* t,
                           llvm::Value* n);

void emit_linear_decode(Builder& b, const LinearShape& s, const LinearOperands& o);
void emit_linear_prefill(Builder& b, const LinearShape& s, const LinearOperands& o);

}  // namespace lmc::codegen
