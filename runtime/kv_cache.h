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
// --kv-unified: runtime/kv_page_pool.h), any one of them up to the whole context.
//
// A sliding window's caches (kv_write's window attribute, C rows) are paged through a table
// of their own, the window page table, since a sequence needs only the pages of its last
// window positions and of the step it writes. In the fixed layout each sequence slot has a
// ring of ring_pages() pages: page j of a sequence is its slot's page j % ring_pages(). With
// a pool, the windows' pages come from a pool of their own (window_pool()), and a sequence
// lets go of those that fell behind its window before each step (Executor), so that the
// pages of a shared prompt's last window can be shared too (runtime/kv_prefix_tree.h).
// Rings of static rows (a graph written so) stay one per sequence slot.
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
  // `step_tokens`: the most rows a step writes, which a window's ring of pages holds beside it.
  KvCache(const ir::Graph& g, int64_t context, int64_t sequences, bool unified = false, int64_t step_tokens = 1);
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
  // The bytes of one page of every paged cache of the context's pool, or (`window`) of the
  // sliding windows' (0 with none).
  uint64_t page_bytes(bool window) const;
  int64_t sequences() const { return sequences_; }
  // What kv_write and attention read the paged caches' rows through.
  KvPageTable& page_table() { return pages_; }
  // The pool the sequences take their pages from when unified, else nullptr.
  KvPagePool* pool() { return pool_ ? &*pool_ : nullptr; }
  // The sliding windows' page table and pool (nullptr without windows or a pool), the
  // longest window (0: none), and the pages of a window's ring in the fixed layout.
  KvPageTable& window_page_table() { return window_pages_; }
  KvPagePool* window_pool() { return window_pool_ ? &*window_pool_ : nullptr; }
  int64_t window() const { return window_; }
  int64_t ring_pages() const { return ring_pages_; }
  // The first page of a sequence's window when its next position is `pos`: what a step or
  // a continuation from there reads.
  int64_t window_first_page(int64_t pos) const;
  // How far back a sequence may move its position and still find every window whole: a
  // ring of window + step_tokens rows keeps the step_tokens rows before the window, so a
  // sequence that wrote up to L and goes back to P attends as if it had stopped at P while
  // L - P <= the limit. No limit (INT64_MAX) without rings.
  int64_t rollback_limit() const { return rollback_limit_; }
  void reset();  // zeroes every buffer; a pool's pages are all free again
  // Copies the rows of the page at row `from` to the page at row `to` in every paged cache
  // of the context's pool, or (`window`) of the windows' (a shared page's copy-on-write,
  // KvPagePool::unshare).
  void copy_page(int32_t from, int32_t to, bool window = false);

  // The bytes of sequence `seq`'s caches that hold its positions [0, tokens), buffer by
  // buffer: the rows of positions [0, tokens) of a cache of C rows, page by page, and the
  // whole of a ring (its rows are positions modulo its size, so it holds the last ones
  // whatever `tokens` is), and of a window's paged cache the pages a continuation from
  // `tokens` reads (window_first_page). What a snapshot of the sequence saves and restores
  // (runtime/kv_snapshot.h); from a pool, the sequence first takes the pages it lacks.
  // Throws lmc::Error when `seq` or `tokens` is out of range, or the pool has too few free
  // pages.
  std::vector<std::span<std::byte>> sequence_bytes(int64_t seq, int64_t tokens);
  // The caches' arguments and types, one "name: type" line each ("k0: f16[C,192]"): caches
  // of the same layout hold each other's rows, whatever their context.
  std::string layout() const;

 private:
  bool windowed(const ir::Value* arg) const;  // a sliding window's paged cache
  void init_window_pages(bool unified, int64_t step_tokens);

  std::vector<Buffer> buffers_;
  std::vector<const ir::Value*> windowed_;
  int64_t context_;
  int64_t window_ = 0;
  int64_t ring_pages_ = 0;
  int64_t sequences_;
  int64_t rollback_limit_ = INT64_MAX;
  KvPageTable pages_;
  std::optional<KvPagePool> pool_;
  KvPageTable window_pages_;
  std::optional<KvPagePool> window_pool_;
};

}  // namespace lmc::runtime
