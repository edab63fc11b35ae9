// Element types of tensor values. Quantized types are block formats whose layout
// matches GGUF, so packed weights can be written and mapped without conversion.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace lmc::ir {

// The element types, one row each in ir/block_types.def, in its order. Block types keep
// the blocks of a file: q4_0 ... iq4_xs are never packed from f32 (kept_from_source;
// passes/transforms/quant_threshold.cpp, keep-source), q8_0 is also lmc's own packing.
// The x16 types (q8_0x16, q4_0x16, ..., q4_kx16, q5_kx16) are block types with the rows of
// a [N,K] weight interleaved 16 at a time into the panels the int8 kernels multiply (the
// weight-panels pass chooses them; layout below). q4_k, q5_k and q6_k are GGUF's
// super-blocks of 256 values, which the kernels read in eight pieces of 32
// (codegen/llvm/blocks/super_blocks.h). q6_k has no panels: a panel kernel decoding its
// 6-bit values for each tile of rows ran prefill at 0.6-0.85x the row-major path, which
// repacks them once per block of rows. q3_k, q2_k, iq4_nl, iq4_xs and mxfp4 are likewise
// read as stored, row-major only.
enum class DType : uint8_t {
#define LMC_PLAIN(name, GgufName) name,
#define LMC_BLOCKS(name, GgufName, decoder, ...) name,
#define LMC_PANELS(name, base) name,
#include "ir/block_types.def"
};

// What a block type's row in ir/block_types.def says of its blocks (designated
// initializers there; a field left out keeps the default here).
struct BlockTraits {
  // f16 scale fields a block of 32 begins with: d (1), or d and m (2); 0 for the plain
  // types and the super-blocks, whose headers their decoders read.
  int head_fields = 0;
  // Read from a file and never packed from f32, so a weight of the type keeps its blocks.
  bool kept_from_source = false;
  // The largest unsigned quant (|w| for the signed types): how many byte madds the int8
  // kernels may sum in i16 before widening.
  int quant_max = 127;
  // The integer the unsigned quants stand above their values (q6_k: 32, q3_k: 4).
  int zero_point = 0;
  // Quants are signed bytes (q8_0, the iq4 types) rather than unsigned with an offset.
  bool signed_quants = false;
  // A word of fifth bits precedes the nibbles (the q5 types).
  bool fifth_bits = false;
  // Parts of a block of 32 scaled apart (values 0..15 and 16..31): 2 for q6_k, q3_k, q2_k.
  int scale_parts = 1;
  // Each part has its own offset (q2_k), met by its own input sum.
  bool part_offsets = false;
  // The kernels sum a super-block's products in i32 under its integer scales
  // (codegen/llvm/blocks/super_blocks.h, integer_scales).
  bool integer_scales = false;
  // The input's block sums meet the offsets rounded to f16, as in ggml's q8_1 (the input
  // type of q4_1's and q5_1's dot products).
  bool f16_input_sums = false;
  // Its x16 panels pay only for the bf16 tiles' decode (q6_k): weight-panels packs a weight
  // of the type only where the target offers every linear reading it those tiles. Its int8
  // panel kernels (decode, VNNI prefill) were slower than the row-major ones where timed
  // (docs/performance.md), its bf16 decode 1.8x faster.
  bool panels_for_bf16_tiles = false;
};

// A type's row: its name in IR text, the GGUF type it is stored as (none for the x16
// panels), its block, the row-major type whose blocks it holds (itself, but for the x16
// types) and the rows stored together in one panel (16 for the x16 types, else 1).
struct DTypeTraits {
  std::string_view name;
  std::optional<uint32_t> gguf_type;
  int64_t block_elems = 1;
  int64_t block_bytes = 0;
  DType base = DType::f32;
  int64_t panel_rows = 1;
  BlockTraits block;
};
const DTypeTraits& dtype_traits(DType t);
// The row-major block type that reads a GGUF tensor of ggml type id `gguf_type` as stored.
std::optional<DType> dtype_of_gguf_blocks(uint32_t gguf_type);

std::string_view dtype_name(DType t);
std::optional<DType> parse_dtype(std::string_view s);

bool is_quantized(DType t);
bool is_kept_from_source(DType t);  // dtype_traits(t).block.kept_from_source
int64_t dtype_block_elems(DType t);  // 1 for plain types, 32 for the block types, 256 for the K types and iq4_xs
int64_t dtype_block_bytes(DType t);  // bytes per block
// Rows of a weight stored together in one panel: 16 for the x16 types, 1 for the
// row-major ones. An x16 type stores, per panel of 16 rows n and per block j of 32
// columns k, its row-major type's blocks of the 16 rows taken apart: each f16 of the
// block's head for the 16 rows (d; then m for the _1 types), then the rest of the block
// in chunks of 4 bytes, each chunk of two groups of 8 rows side by side:
//   q8_0x16: [panel][block]{f16 d[16]; i8 q[chunk 0..7][group 0..1][row 0..7][4]}
//   q4_0x16: [panel][block]{f16 d[16]; u8 q[chunk 0..3][group 0..1][row 0..7][4]}
//   q4_1x16: [panel][block]{f16 d[16]; f16 m[16]; u8 q[chunk 0..3][group][row][4]}
//   q5_0x16: [panel][block]{f16 d[16]; u32 qh[group][row]; u8 q[chunk 0..3][group][row][4]}
//   q5_1x16: [panel][block]{f16 d[16]; f16 m[16]; u32 qh[group][row]; u8 q[chunk][group][row][4]}
// A q8_0 chunk c is k = 32j + 4c .. +3; a q4/q5 chunk's low nibbles are k = 32j + 4c .. +3
// and its high nibbles k + 16 (GGUF's nibble order), and bit i of a row's qh is k = 32j + i's
// fifth bit. A block keeps its row-major size (34, 18, 20, 22, 24 bytes per 32 values), so
// a weight's size does not change.
// q4_kx16 and q5_kx16 hold, per panel and per super-block of 256 columns, the 16 rows'
// headers word by word, then each piece j of 32 values as a q4_1x16 (q5_1x16) block
// without its scales — the nibbles reordered so that a byte pairs values l and l + 16 of
// one piece, and for q5 the piece's fifth bits gathered into one word — so a super-block
// keeps its size (144, 176 bytes a row):
//   q4_kx16: [panel][super]{f16 d[16]; f16 dmin[16]; u32 scales[word 0..2][16];
//                           [piece 0..7]{u8 q[chunk 0..3][group][row][4]}}
//   q5_kx16: as q4_kx16, each piece {u32 qh[group][row]; u8 q[chunk 0..3][group][row][4]}
// q6_kx16 holds, per panel and super-block, the 16 rows' d, then their 16 signed scales
// sub-block by sub-block, then each piece's 2-bit high parts as two words a row and its low
// nibbles as q4_kx16's (210 bytes a row): bits 2c, 2c + 1 of byte b of a row's word h are
// the high parts of value 4c + b + 16h of the piece, the two that chunk c's nibbles pair
//   q6_kx16: [panel][super]{f16 d[16]; i8 scales[sub 0..15][16];
//                           [piece 0..7]{u32 qh[word 0..1][group][row]; u8 q[chunk 0..3][group][row][4]}}
int64_t dtype_panel_rows(DType t);
// The row-major type whose blocks an x16 type holds (q8_0 for q8_0x16); t itself for
// the others.
DType panel_base(DType t);
// The x16 type holding t's blocks in panels, if there is one (every block type).
std::optional<DType> panel_type(DType t);
// The scale fields a block of 32 begins with: d, or d and m (the _1 types), each an f16.
// None for the plain types and the super-blocks.
struct BlockHead {
  static constexpr int64_t kFieldBytes = 2;
  int64_t fields = 0;
  int64_t bytes() const { return fields * kFieldBytes; }
};
BlockHead dtype_block_head(DType t);
// The 16 non-linear values an iq4_nl or iq4_xs nibble indexes (GGUF's kvalues_iq4nl).
const std::array<int8_t, 16>& iq4_values();
// Bytes of a row of n elements; n must be a multiple of the block size.
int64_t dtype_row_bytes(DType t, int64_t n);

}  // namespace lmc::ir
