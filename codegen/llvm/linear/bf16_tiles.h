// linear's prefill as a tile GEMM on AMX-BF16 (--amx-bf16), for every block type a file
// holds (the x16 panels, q6_k and the other row-major kept types). Round 5's int8 tiles
// multiply one 16 x 16 x 32 block at a time and scale each block's sums outside the tiles
// (exact, VNNI's bits, about 6% of the unit); here the scales are inside the numbers: the
// weights are decoded once per row block into bf16 B tiles (bf16_weights.h), the input rows
// rounded to bf16 once, and four C tiles (32 rows x 32 columns) accumulate f32 across the
// whole K — per 32 k two A and two B tile loads feed four tdpbf16ps, and C is stored once,
// after the K loop, for the epilogue. Numbers: each product's operands are rounded to bf16
// (2^-9 relative each); the accuracy contract is perplexity and KL against F32, not VNNI's
// bits.
//
// Loop nest, per call (rows split over the threads): row blocks of up to kMaxRows rows
// whose bf16 copy fits kMaxInputBytes (padded to 32 rows with zeros) > column pairs of 32 >
// k blocks whose decoded weights fit kMaxWeightBytes (one block when K <= 4096) > row
// pairs of 32 > the K loop. With several k blocks the C tiles go through a scratch of the
// row block's sums between them.
//
// Where the int8 tiles would run (a native target on a host that grants the tiles), the
// bf16 GEMM replaces them only when asked for: its speed is measured on such a host before
// it becomes the default. The two never share a kernel, so a kernel's tiles have one shape.
#pragma once
#include "codegen/llvm/linear/linear_common.h"

namespace lmc::codegen {

// Prompt rows at which prefill takes the bf16 tiles (the linears', attention's): below, the
// VNNI tiles, which need no decoding of the weights into bf16 (a row block reuses each
// decoded tile for its rows).
constexpr int64_t kBf16TileMinRows = 64;

// AMX-TILE and AMX-BF16 in the kernel's features.
bool use_amx_bf16(const llvm::Function& fn);
// Whether the bf16 tiles take this weight part: block weights (f32 keep their FMA GEMM).
bool bf16_tiles_take(const LinearShape& s);

// The GEMM's stack scratch (about 1.3 MiB at most), allocated once in a kernel and shared by
// its weight parts (a fused QKV's three), sized for the largest part's plan.
struct Bf16TileScratch {
  llvm::Value* a;     // bf16 [rows x K]: a row block's input rows
  llvm::Value* w;     // bf16 [kc / 32 steps x 2 tiles x 16 x 32]: a column pair's k block
  llvm::Value* sums;  // f32 [rows x 32]: the row block's sums for the column pair
  Bf16TileScratch(Builder& b, const LinearParts& s);
};

void emit_linear_bf16_tiles(Builder& b, const LinearShape& s, LinearIO& io, const Bf16TileScratch& scratch);

}  // namespace lmc::codegen
