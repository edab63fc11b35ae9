// The inner part of the attention kernel (codegen/llvm/emit_attention.cpp): FlashAttention
// over one run of query vectors that read the same keys and values, that is query rows
// of one sequence at consecutive positions times the query heads of one kv head.
//
// Keys are visited in blocks. Each block of K and V rows is converted from the cache's
// dtype (codegen/llvm/cache_rows.h) into f32 scratch once, and then serves every query vector
// of the run: the scores S = Q·Kᵀ and the update O += P·V are small matrix products
// computed in register tiles (12 accumulators each), so a converted value is reused
// from L1 by up to kTileQueries query vectors instead of being converted again per
// head and per row. Softmax is online (running max and sum per query vector, the
// accumulator rescaled once per block), each row masked to its own keys.
// A run of a single query vector (decode, when the threads share a row's heads) reads
// the cache rows directly instead (AttentionTile::one_query).
// Blocks start at multiples of block() and every path adds in the same order, so a
// query vector's result has the same bits in any run: whatever rows and heads share
// it, however the threads cut the work items (the greedy text must not change with
// the thread count).
#pragma once
#include <functional>
#include <optional>

#include "codegen/attention_shape.h"
#include "codegen/llvm/attention_bf16.h"
#include "codegen/llvm/builder/llvm_helpers.h"
#include "ir/dtype.h"

namespace lmc::codegen {

// `rows` query rows from `row`, of one sequence at positions position, position + 1, ...,
// each with the query heads [head, head + heads) of one kv head, whose keys and values
// start at k and v (that kv head's part of row 0 of paged caches, of slot 0 of the
// sequence's rings). `pages`: the sequence's entries of the KV page table when the caches
// are paged (codegen/llvm/kv_pages.h), else nullptr. `key_end`: one past the last key every
// row reads when the attention is bidirectional, else nullptr (each row reads up to its own,
// or up to its entry of `key_ends`, the op's i32 per row, when the op has them).
struct QueryRun {
  llvm::Value* row;
  llvm::Value* rows;
  llvm::Value* position;
  llvm::Value* head;
  llvm::Value* heads;
  llvm::Value* k;
  llvm::Value* v;
  llvm::Value* pages;
  llvm::Value* key_end = nullptr;
  llvm::Value* key_ends = nullptr;
};

// Stores the attention output `out` (<head_dim x float>) of query head `head` of row `row`.
using StoreHead = std::function<void(llvm::Value* row, llvm::Value* head, llvm::Value* out)>;

class AttentionTile {
 public:
  // Allocates the scratch in the entry block; q is the query rows, slots the value of C.
  // `bf16_tiles`: the op asks for the bf16 tiles (codegen/prefill_choice.h).
  AttentionTile(Builder& b, const AttentionShape& s, llvm::Value* q, llvm::Value* slots, bool bf16_tiles);

  // Attends every query vector of the run (rows * heads <= kTileQueries) to its keys.
  void attend(const QueryRun& run, const StoreHead& store);

  // Runs of several query vectors take the bf16 tiles (attention_bf16.h) when `when` (i1)
  // holds, where the kernel asks for them and the shape fits them.
  void take_bf16_tiles_when(llvm::Value* when) { tiles_when_ = when; }

 private:
  Builder& b_;
  const AttentionShape& s_;
  llvm::Value* q_;
  llvm::Value* slots_;
  int64_t hd_pad_;     // head_dim rounded up to whole vectors, or 16s for the bf16 tiles (zeros past head_dim)
  int64_t keys_pad_;   // block() rounded up to whole vectors
  llvm::Value* qs_;    // [kTileQueries][hd_pad]: the run's queries times scale
  llvm::Value* os_;    // [kTileQueries][hd_pad]: their output accumulators
  llvm::Value* ks_;    // [keys_pad][hd_pad]: the block's keys as floats
  llvm::Value* vs_;    // [keys_pad][hd_pad]: its values
  llvm::Value* ps_;    // [kTileQueries][keys_pad]: scores, then softmax weights
  llvm::Value* max_;   // [kTileQueries]: running max of the scores
  llvm::Value* sum_;   // [kTileQueries]: running sum of the weights
  llvm::Value* corr_;  // [kTileQueries]: this block's rescale of the accumulators
  llvm::Value* lo_;    // [kTileQueries] i64: first key of each query vector ...
  llvm::Value* hi_;    // ... and one past its last
  std::optional<AttentionBf16Tiles> bf16_;  // where the kernel may take the tiles
  llvm::Value* tiles_when_ = nullptr;

  // Where the tiles read a block's keys or values: f32 scratch rows, or the cache rows
  // themselves (ring slots, or paged rows that each key looks up in the page table, a
  // block spanning several pages), converted as they are loaded.
  struct BlockRows {
    ir::DType dtype;
    llvm::Value* base;
    int64_t row_bytes;
    llvm::Value* first;  // a ring's slot of the block's first key, or (paged) its position; nullptr: scratch
    llvm::Value* last;   // the block's last row, which the rows past it repeat
    llvm::Value* pages;  // paged: the sequence's entries of the page table, else nullptr
    // Paged: the run's first key (keys before it, masked, read its row: a window's pages
    // before it are given back) and its last (the next block's rows, prefetched, stop there).
    llvm::Value* floor;
    llvm::Value* end;
  };

  // Keys first .. first + n - 1 of a run, n_pad = n rounded up to whole vectors; the
  // values before `from` are weighted 0 for every query vector of the run.
  struct Block {
    llvm::Value* first;
    llvm::Value* from;
    llvm::Value* n;
    llvm::Value* n_pad;
  };

  llvm::Value* query_row(const QueryRun& run, llvm::Value* m);
  llvm::Value* query_head(const QueryRun& run, llvm::Value* m);
  llvm::Value* row_at(const BlockRows& rows, llvm::Value* i);
  void start(const QueryRun& run, llvm::Value* count);
  llvm::Value* last_key_end(llvm::Value* count);
  void convert(const BlockRows& src, llvm::Value* dst, llvm::Value* count);
  void scores(llvm::Value* count, const Block& blk, const BlockRows& k);
  void score_tile(llvm::Value* m0, int rows, llvm::Value* k0, int keys, const Block& blk, const BlockRows& k);
  void softmax(llvm::Value* count, llvm::Value* n_pad);
  // The tiles' path of a block: scores, their masks, softmax, rescale, value sums.
  void tile_block(llvm::Value* count, const Block& blk, const BlockRows& k, const BlockRows& v);
  // ps_'s raw scores softcapped and masked to each query vector's keys, as score_tile does.
  void mask_scores(llvm::Value* count, const Block& blk);
  // Each query vector's accumulator times its block's rescale.
  void rescale(llvm::Value* count);
  void accumulate(llvm::Value* count, const Block& blk, const BlockRows& v);
  void one_query(const Block& blk, const BlockRows& k, const BlockRows& v);
  // `ahead`: rows whose next block to prefetch, one row per key of this block.
  void value_tile(llvm::Value* m0, int rows, llvm::Value* d, int vectors, const Block& blk, const BlockRows& v,
                  const BlockRows* ahead = nullptr);
  void prefetch_next_block(const BlockRows& rows, llvm::Value* i);
  void finish(const QueryRun& run, llvm::Value* count, const StoreHead& store);
};

}  // namespace lmc::codegen
