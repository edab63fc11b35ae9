// The static shape of a linear kernel (codegen/emit_linear.cpp), validated from the
// anchor of its fusion, the row counts that choose its code path, and its work items.
// Free of LLVM, so which kernels a graph needs and how they split can be known without
// generating them.
#pragma once
#include "codegen/fused_region.h"

namespace lmc::codegen {

// Up to this many rows the decode path streams the weights once for all of them; from
// one more on, the blocked paths (prefill) pack each weight panel once for many rows.
// For block weights the two sum a row's products in the same order (i32 per block,
// scaled into f32 once per block), so a row's numbers do not depend on the path: a
// batched sequence's logits equal its logits alone (runtime/batch_generator.h). At 8
// rows the int8 GEMM gains nothing on the decode path (Gemma 3 270M, 8 batched decode
// rows at 2 threads: 64.5 ms of kernel time a step on either, `lmc run --prompts
// --parallel 8 --trace-out`; batch_q8_0 in bench_linear); f32 weights' FMA panels need
// more rows.
constexpr int64_t kDecodeMaxRows = 8;
constexpr int64_t kPrefillMinRows = kDecodeMaxRows + 1;

struct LinearShape {
  int64_t K = 0;         // reduction length (w is [N,K])
  int64_t N = 0;         // output columns = work items
  ir::DType wtype = ir::DType::f32;  // f32, q8_0, q8_0x16 or a block type kept from a file
  ir::Dim rows;          // T
  int64_t w_row_bytes() const;
  // Output columns per work item: the weight's rows per panel (16 for q8_0x16), so that
  // a call's columns are whole panels.
  int64_t col_unit() const { return ir::dtype_panel_rows(wtype); }
};

// Validates the anchor against the linear contract; throws lmc::Error naming the
// kernel key on any mismatch.
LinearShape linear_shape(const KernelDesc& d, const FusedRegion& r);

// Decode splits the columns: each call streams its share of the weights. Prefill
// splits the rows evenly over the threads: each call prepares its input rows (the
// prologue, their quantization) once and sweeps all the weights.
KernelInfo linear_work_items(const KernelDesc& d);

}  // namespace lmc::codegen
