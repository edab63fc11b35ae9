// An attention block's two products on AMX-BF16 tiles (--amx-bf16, prompts of 64 rows or
// more: codegen/llvm/linear/bf16_tiles.h), for AttentionTile (attention_tile.h): the run's
// query vectors as three A tiles of 16 (padded with zero rows to 48), the block's keys as B
// tiles of 16 keys x 32 dims (pairs of dims down a tile's rows), so that S = Q·Kᵀ is one
// C tile per 16 queries x 16 keys, its score_dims / 32 tdpbf16ps in one basic block; then,
// after the masks and the softmax, the weights P as A tiles and the values as B tiles of
// 32 keys x 16 dims (pairs of keys down the rows), O += P·V accumulating in C tiles across
// the block's keys, read from and stored back to the run's f32 accumulators once per block.
// Operands are rounded to bf16 (queries times the scale, keys, values, weights); sums stay
// f32. Taken where the block is whole 32s and a run fits 48 query vectors, at any head_dim:
// the f32 scratch rows are whole 16s with zeros past head_dim (AttentionTile pads them so),
// and the bf16 queries and keys are padded with zeros to whole 32s of dims (score_dims),
// which add nothing to Q·Kᵀ; the value sums take the f32 rows' 16s, their padded dims
// summing zeros into the accumulators' padding, which nothing reads (SigLIP's head_dim 72:
// scores over 96 dims, sums over 80).
#pragma once
#include "codegen/attention_shape.h"
#include "codegen/llvm/builder/llvm_helpers.h"

namespace lmc::codegen {

class AttentionBf16Tiles {
 public:
  static constexpr int64_t kQueries = 48;  // query vectors of the three A tiles

  // Whether attention of this shape can take the tiles.
  static bool fits(const AttentionShape& s);

  static constexpr int64_t kDimStep = 16;  // the f32 rows' dims come in whole 16s

  // Allocates the bf16 scratch in the entry block; keys_pad is the f32 scratch's keys per
  // block (a whole 32s), row_dims its rows' length (head_dim rounded up to kDimStep, zeros
  // past head_dim): of the queries, keys, values and accumulators alike.
  AttentionBf16Tiles(Builder& b, const AttentionShape& s, int64_t row_dims, int64_t keys_pad);

  // The run's scaled queries (f32 rows of qs) as bf16; rows from count zero.
  void queries(llvm::Value* qs, llvm::Value* count);
  // ps[m][i] = q_m · k_i for the kQueries query rows and keys [0, n_tile) of the block's f32 keys
  // ks, n_tile a whole 32s: raw scores, the masks still to apply.
  void scores(llvm::Value* ks, llvm::Value* ps, llvm::Value* n_tile);
  // os[m] += Σ_i ps[m][i] · vs[i] over keys [0, n_tile) of the f32 values vs, the weights of
  // rows from count and of keys from n taken as 0 (os's rows already rescaled).
  void accumulate(llvm::Value* ps, llvm::Value* vs, llvm::Value* os, llvm::Value* count, llvm::Value* n,
                  llvm::Value* n_tile);

 private:
  Builder& b_;
  int64_t row_dims_;    // the f32 rows' length, a whole 16s
  int64_t score_dims_;  // head_dim rounded up to 32: the dims of the scores' tiles
  int64_t keys_pad_;
  llvm::Value* qb_;  // bf16 [kQueries][score_dims]: the A tiles of the scores
  llvm::Value* kb_;  // bf16 B tiles [score_dims / 32][keys_pad / 16][16 rows][16 keys x 2]
  llvm::Value* pb_;  // bf16 [kQueries][keys_pad]: the weights, A tiles of the value sums
  llvm::Value* vb_;  // bf16 B tiles [keys_pad / 32][row_dims / 16][16 rows][16 dims x 2]

  // Dims [at, at + 32) of the f32 row at `row`, zeros past row_dims.
  llvm::Value* step_of(llvm::Value* row, int64_t at);

  void keys_to_tiles(llvm::Value* ks, llvm::Value* n_tile);
  void values_to_tiles(llvm::Value* vs, llvm::Value* n_tile);
  void weights_to_bf16(llvm::Value* ps, llvm::Value* count, llvm::Value* n, llvm::Value* n_tile);
};

}  // namespace lmc::codegen
