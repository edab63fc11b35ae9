// The register tile both int8 GEMMs share (linear_prefill_blocks.cpp on weights it
// repacks per call, linear_panels.cpp on q8_0x16 as stored): up to kTileRows input rows
// x kPanelCols output columns, one 32-byte load holding a quad (4 consecutive k) of 8
// columns, each column's sum in its own i32 lane — 4 x 2 i32 accumulators and 2 weight
// quads fit the 16 vector registers.
#pragma once
#include <algorithm>

#include "codegen/llvm/linear/linear_common.h"
#include "codegen/llvm/linear/quantized_rows.h"

namespace lmc::codegen::int8_tile {

constexpr int kGroups = 2;                       // groups of 8 columns per panel
constexpr int64_t kPanelCols = 8 * kGroups;
constexpr int kTileRows = 4;
// A K type's panel tile with 512-bit VNNI (linear_panels.cpp): a row's 16 columns are one
// register, so eight rows' sixteen madd chains fit beside the chunk's two registers, and
// a chunk's load and unpacking feed sixteen madds: both madd ports busy, where four rows'
// eight chains ran about one madd a cycle.
constexpr int kWideTileRows = 8;
constexpr int64_t kQuads = 8;                    // 4-byte quads per block of 32
constexpr int64_t kBlock = QuantizedRows::kBlock;
// Quantized input rows per block: they stay in L2 beside the panel a tile reads. Half a
// MiB rather than 192 KiB: a block's rows share each weight panel's read (and the repacked
// paths' packing), and at 7B's ffn_down (K = 14336) 192 KiB held 12 rows — a 64-token
// prompt's 32 rows per thread took three sweeps of the weights. bench_linear prefill64,
// 14336x4096, 2 threads: q6_k 31.6 -> 23.4 ms, q4_kx16 17.7 -> 15.1 ms (768 KiB: no better).
constexpr int64_t kMaxInputBytes = 512 * 1024;

// Rows quantized at once: as many as kMaxInputBytes hold, in whole tiles, at most the
// rows a prologue prepares at once.
inline int64_t rows_per_block(const LinearShape& s) {
  int64_t rows = std::clamp<int64_t>(kMaxInputBytes / s.K, kTileRows, kMaxPreparedRows);
  return rows / kTileRows * kTileRows;
}

// With 512-bit VNNI a tile row's 16 columns are one <16 x i32> (a quad's two groups lie
// side by side): row slot's 4 input bytes from k in each of 16 i32 lanes, a 512-bit madd's
// other operand; and per-row <16 x i32> sums as the [row][group] <8 x i32> lanes the tiles'
// stores take.
llvm::Value* input_quad16(Builder& b, const QuantizedRows& in, llvm::Value* slot, llvm::Value* k);
// Row slot's 4 input bytes from k in each of `lanes` i32 lanes (8: a column group's).
llvm::Value* input_quads(Builder& b, const QuantizedRows& in, llvm::Value* slot, llvm::Value* k, unsigned lanes);
Carried split_groups(Builder& b, const Carried& wide);

}  // namespace lmc::codegen::int8_tile
