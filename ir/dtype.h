// Element types of tensor values. Quantized types are block formats whose layout
// matches GGUF, so packed weights can be written and mapped without conversion.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

namespace lmc::ir {

// q4_0, q4_1, q5_0 and q5_1 are never packed from f32: a weight of those types keeps the
// blocks of the file it was read from (passes/quant_threshold.cpp, keep-source).
// q8_0x16 is q8_0 with the rows of a [N,K] weight interleaved 16 at a time into the
// panels the int8 kernels multiply (the weight-panels pass chooses it; layout below).
enum class DType : uint8_t { f32, f16, bf16, i32, q8_0, q4_0, q4_1, q5_0, q5_1, q8_0x16 };

std::string_view dtype_name(DType t);
std::optional<DType> parse_dtype(std::string_view s);

bool is_quantized(DType t);
// q4_0, q4_1, q5_0, q5_1: block types lmc reads but never packs, so a weight of them keeps a
// file's blocks.
bool is_kept_from_source(DType t);
int64_t dtype_block_elems(DType t);  // 1 for plain types, 32 for the block types
int64_t dtype_block_bytes(DType t);  // bytes per block
// Rows of a weight stored together in one panel: 16 for q8_0x16, 1 for the row-major
// types. q8_0x16 stores, per panel of 16 rows n and per block j of 32 columns k, the
// 16 rows' f16 scales, then for each quad q (k = 32j + 4q .. +3) two groups of 8 rows'
// 4 bytes: [panel][block]{f16 d[16]; i8 q[quad 0..7][group 0..1][row 0..7][4]} — the
// same 34 bytes per block as q8_0, so a weight's size does not change.
int64_t dtype_panel_rows(DType t);
// Bytes of a row of n elements; n must be a multiple of the block size.
int64_t dtype_row_bytes(DType t, int64_t n);

}  // namespace lmc::ir
