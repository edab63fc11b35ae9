// The static shape of a linear kernel (codegen/llvm/emit_linear.cpp), validated from the
// anchor of its fusion, the row counts that choose its code path, and its work items.
// Free of LLVM, so which kernels a graph needs and how they split can be known without
// generating them.
#pragma once
#include <vector>

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
// Prompt rows at which a linear whose prefill is the bf16 tile GEMM (codegen/prefill_choice.h)
// takes it: below, the VNNI GEMM, which needs no decoding of the weights into bf16 (the
// GEMM decodes each weight once per call and reuses it for every row).
constexpr int64_t kBf16TileMinRows = 64;

// One weight part of a linear: a whole weight, or one of the parts its rows are stacked
// from, each in its own dtype (siblings fused across the block types a file mixes).
struct LinearShape {
  int64_t K = 0;         // reduction length (w is [N,K])
  int64_t N = 0;         // the part's output columns
  int64_t col0 = 0;      // its first column in the result
  ir::DType wtype = ir::DType::f32;  // f32, q8_0, q8_0x16 or a block type kept from a file
  ir::Dim rows;          // T
  int64_t w_row_bytes() const;
  // Output columns per panel of the weight: 16 for q8_0x16, 1 row-major.
  int64_t col_unit() const { return ir::dtype_panel_rows(wtype); }
};

struct LinearParts {
  std::vector<LinearShape> parts;  // in the order of their columns; parts[i] is operand i + 1
  int64_t N = 0;                   // the result's columns
  // Output columns per work item: the widest panel, so that a call's columns are whole
  // panels of every part.
  int64_t unit = 1;
};

// Validates the anchor against the linear contract; throws lmc::Error naming the
// kernel key on any mismatch.
LinearParts linear_parts(const KernelDesc& d, const FusedRegion& r);

// Whether the bf16 tile GEMM takes this kernel's prompts of kBf16TileMinRows rows or more:
// asked for by the anchor's `prefill` attribute, and every part a block type or f32, as
// codegen/prefill_choice.h's linear_prefill_kernel answers.
bool takes_bf16_tiles(const KernelDesc& d, const FusedRegion& r, const LinearParts& s);

// Decode splits the columns: each call streams its share of the weights. Prefill
// splits the rows evenly over the threads: each call prepares its input rows (the
// prologue, their quantization) once and sweeps all the weights. The bf16 tile GEMM
// splits the columns again, one even share per thread: each weight is decoded once.
KernelInfo linear_work_items(const KernelDesc& d);

}  // namespace lmc::codegen
