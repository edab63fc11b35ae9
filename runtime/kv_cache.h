// The persistent state of a graph: one zero-initialised buffer per KV-cache argument
// (operand 0 of a kv_write), sized by the argument's type, so rows of its dtype (f32, f16
// or q8_0 blocks, as the kv-cache-type pass chose). The argument's type is one sequence's cache — [C, W] for
// global layers, with C the context chosen at run time, a ring of [window +
// step_tokens, W] for sliding-window ones — and the buffer holds `sequences` of them
// back to back, one per sequence slot, as kv_write and attention address them (row r
// of a step uses the cache of its sequence, seq[r]). One buffer per argument rather
// than one per slot keeps the kernel ABI a single pointer per operand. The caches as long
// as the context are paged: the kernels find a position's row through the page table
// (runtime/kv_page_table.h). Either each sequence has a whole context of its own (the
// table's fixed layout: its pages in order, the caches of the slots back to back), or the
// sequences share one pool of pages for `context` positions in all (`unified`, llama-server's
// --kv-unified: runtime/kv_page_pool.h), any one of them up to the whole context. Rings
// stay one per sequence slot either way: a ring is as long as a window and a prefill chunk,
// never longer, and its rows are overwritten in turn, so pages would save nothing while a
// sequence is past its window, and would cost a table look-up per ring wrap.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "runtime/aligned_buffer.h"
#include "runtime/kv_page_pool.h"
#include "runtime/kv_page_table.h"

namespace lmc::runtime {

class KvCache {
 public:
  // Throws lmc::Error when a kv_write's cache operand is not a graph argument of static
  // width whose rows are static or C.
  KvCache(const ir::Graph& g, int64_t context, int64_t sequences, bool unified = false);
  KvCache(const KvCache&) = delete;
  KvCache& operator=(const KvCache&) = delete;

  struct Buffer {
    const ir::Value* arg;
    AlignedBuffer bytes;
  };
  const std::vector<Buffer>& buffers() const { return buffers_; }
  // nullptr when `arg` is not a cache argument.
  void* find(const ir::Value* arg) const;
  uint64_t bytes() const;
  int64_t sequences() const { return sequences_; }
  // What kv_write and attention read the paged caches' rows through.
  KvPageTable& page_table() { return pages_; }
  // The pool the sequences take their pages from when unified, else nullptr.
  KvPagePool* pool() { return pool_ ? &*pool_ : nullptr; }
  // How far back a sequence may move its position and still find every window whole: a
  // ring of window + step_tokens rows keeps the step_tokens rows before the window, so a
  // sequence that wrote up to L and goes back to P attends as if it had stopped at P while
  // L - P <= the limit. No limit (INT64_MAX) without rings.
  int64_t rollback_limit() const { return rollback_limit_; }
  void reset();  // zeroes every buffer; a pool's pages are all free again
  // Copies the rows of the page at row `from` to the page at row `to` in every paged cache
  // (a shared page's copy-on-write, KvPagePool::unshare).
  void copy_page(int32_t from, int32_t to);

  // The bytes of sequence `seq`'s caches that hold its positions [0, tokens), buffer by
  // buffer: the rows of positions [0, tokens) of a cache of C rows, page by page, and the
  // whole of a ring (its rows are positions modulo its size, so it holds the last ones
  // whatever `tokens` is). What a snapshot of the sequence saves and restores
  // (runtime/kv_snapshot.h); from a pool, the sequence first takes the pages it lacks.
  // Throws lmc::Error when `seq` or `tokens` is out of range, or the pool has too few free
  // pages.
  std::vector<std::span<std::byte>> sequence_bytes(int64_t seq, int64_t tokens);
  // The caches' arguments and types, one "name: type" line each ("k0: f16[C,192]"): caches
  // of the same layout hold each other's rows, whatever their context.
  std::string layout() const;

 private:
  std::vector<Buffer> buffers_;
  int64_t context_;
  int64_t sequences_;
  int64_t rollback_limit_ = INT64_MAX;
  KvPageTable pages_;
  std::optional<KvPagePool> pool_;
};

}  // namespace lmc::runtime
