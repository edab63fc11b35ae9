// A linear's block or f32 weights decoded into bf16 B tiles for the AMX-BF16 tile GEMM
// (bf16_tiles.h): each weight's exact f32 value (d * q + m, as the embedding reads a row;
// an f32 weight's own) rounded to the nearest bf16. A tile step of 32 k holds, for each of the 16 columns of a
// tile, 16 rows of pairs (k, k + 1): B row r of the step is k = 2r and 2r + 1, so a row is
// 16 columns x 4 bytes — the same quad-major order the x16 panels keep their chunks in, which
// a panel's chunk meets with two shuffles. Row-major blocks (q6_k and the other kept types,
// a K type's super-block in its pieces) are decoded a column at a time and scattered into
// the column's lane of each row.
#pragma once
#include "codegen/llvm/linear/linear_common.h"

namespace lmc::codegen {

// Bytes of one B tile: 16 rows x 64 bytes.
constexpr int64_t kBf16TileBytes = 1024;

// f32 lanes rounded to bf16 (to nearest, ties to even) as i16 lanes: vcvtneps2bf16's
// rounding for the finite values a linear meets, on any x86 target.
llvm::Value* round_to_bf16(Builder& b, llvm::Value* v);

// The k that one decoding step covers: a row-major K type's super-block (256), else 32.
int64_t bf16_k_unit(const LinearShape& s);

// The k the tiles take for a part of K: K rounded up to 32, the k past K zero in both
// operands (f32 weights may have any K; blocks are whole 32s).
int64_t bf16_padded_k(int64_t K);

// Columns [n0, n0 + 32) x k [k0, k0 + kc) of the weight part `s` stored at `w` as bf16 B
// tiles at `dst`: for each step of 32 k, the tile of columns n0 .. n0 + 15, then n0 + 16 ..
// n0 + 31. Columns past the part's end read its last panel of 16 again (row-major: its last
// column; computed, never stored); k0 and kc are multiples of bf16_k_unit, k0 + kc at most
// bf16_padded_k(K).
void decode_bf16_tiles(Builder& b, const LinearShape& s, llvm::Value* w, llvm::Value* n0, llvm::Value* k0,
                       llvm::Value* kc, llvm::Value* dst);

}  // namespace lmc::codegen
