// linear's prefill as a tile GEMM on AMX-BF16 (the anchor's prefill variant "bf16_tiles":
// ir/prefill_kernel.h), for every block type a file holds (the x16 panels, q6_k and
// the other row-major kept types) and for f32 weights (a vision tower's, any K: the k past
// it are zeros in both operands), which it rounds to bf16 only when the user asks for it
// (ir::rounds_full_precision). Round 5's int8 tiles multiply one 16 x 16 x 32 block at
// a time and scale each block's sums outside the tiles (exact, VNNI's bits, about 6% of the
// unit); here the scales are inside the numbers: the weights are decoded into bf16 B tiles
// (bf16_weights.h), the input rows rounded to bf16, and four C tiles (32 rows x 32 columns)
// accumulate f32 — per 32 k two A and two B tile loads feed four tdpbf16ps. Numbers: each
// product's operands are rounded to bf16 (2^-9 relative each); the accuracy contract is
// perplexity and KL against F32, not VNNI's bits.
//
// Each weight is decoded once per call. The work items are columns (KernelInfo::cols_from):
// the threads split the columns, each call rounds all of the call's rows to bf16 once (up
// to kMaxInputBytes of them, in the thread's scratch: codegen/loader/linker/thread_scratch.h)
// and then, per column block of kBlockCols, decodes the block's weights k block by k block
// (kMaxWeightBytes, in L2) and streams every row pair of the call through them. Loop nest:
// row blocks (one when the rows fit) > the weight parts (a fused QKV's three share the rounded
// rows) > column blocks > k blocks (decode) > row pairs of 32 > column pairs of 32 > the K
// loop. The sums of a column block live in the scratch between k blocks (in L2); the
// epilogue reads them once, after the last.
#pragma once
#include "codegen/llvm/linear/linear_common.h"

namespace lmc::codegen {

// The call's columns (io in column mode: every row) of every part, through the tile GEMM.
void emit_linear_bf16_tiles(Builder& b, const LinearParts& s, LinearIO& io);

}  // namespace lmc::codegen
