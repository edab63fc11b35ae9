// The static shape of an attention kernel (codegen/llvm/emit_attention.cpp), validated from
// the descriptor of its anchor, the tiling it implies, and the kernel's work items. Free
// of LLVM, so which kernels a graph needs and how they split can be known without
// generating them.
#pragma once
#include "codegen/kernel_desc.h"

namespace lmc::codegen {

// Query vectors a run holds at most: rows of a prefill tile times the group's heads.
// 48 splits evenly into groups of 1, 2, 3, 4, 6, 8, 12 or 16 heads, and into the score
// tiles' 3 query vectors. Each block of keys and values is read from the cache once per
// run: at 24, SigLIP's bidirectional attention over 4096 patches (1.2 MB of f16 keys and
// values per head, past L2) spent a quarter of its time reading them; at 48 half as much.
constexpr int64_t kTileQueries = 48;

// The static shape of an attention kernel, read from its descriptor.
struct AttentionShape {
  ir::Dim rows;
  int64_t heads = 0;
  int64_t kv_heads = 0;
  int64_t head_dim = 0;
  // C: a ring's static length, or the symbol C of a cache as long as the context (bound
  // at run time; keys never wrap there, as every position is below C).
  ir::Dim slots;
  float scale = 1;
  int64_t window = 0;
  float softcap = 0;
  bool causal = true;  // else every row reads its sequence's keys up to the step's last row of it
  // Operand 5, key_ends: each row reads its keys up to key_ends[row] (its own position or
  // later: an image's tokens see each other), not its own position.
  bool key_ends = false;
  ir::DType k_dtype = ir::DType::f32, v_dtype = ir::DType::f32;

  int64_t group() const { return heads / kv_heads; }  // query heads per kv head
  // Keys per block: at most C, so a block's slots wrap around the ring at most once.
  int64_t block() const;
  // Rows of a prefill tile: as many as fill kTileQueries query vectors with the group.
  int64_t max_tile_rows() const;
  // Bytes of a cache row (every kv head), and of one kv head's part of it.
  int64_t row_bytes(ir::DType t) const { return ir::dtype_row_bytes(t, kv_heads * head_dim); }
  int64_t head_bytes(ir::DType t) const { return ir::dtype_row_bytes(t, head_dim); }
};

// The shape of the attention op that d describes (a fusion's anchor, codegen/describe_op.h);
// throws lmc::Error naming the kernel key when the emitter does not handle it.
AttentionShape attention_shape(const KernelDesc& d);

// (row, query head) pairs, r * Hq + h.
KernelInfo attention_work_items(const KernelDesc& d);

}  // namespace lmc::codegen
