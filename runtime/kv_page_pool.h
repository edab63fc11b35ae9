// One pool of KV pages that the sequence slots share (llama-server's --kv-unified): a
// sequence holds the pages of its positions [0, n), taken from the pool as it grows and
// returned when it ends or goes back, and the page table (runtime/kv_page_table.h) says
// where each of them is. The pool never takes a page a sequence holds: when too few are
// free, grow() takes none and says so, and the sequence's scheduler decides (a batch
// generator lets it wait or refuses it, runtime/batch_generator.h). A free page is any
// page; the page a sequence gave back last is taken first, still warm in the caches.
//
// A sliding window's pool (runtime/kv_cache.h) holds a sequence's pages from its window's
// start on: a sequence holds its pages [first, held), and lets go of those before its window
// (drop_before) as it moves on; the table's entries before `first` are stale.
//
// A page may have several holders: sequences whose prompts start alike point their tables
// at the same page of that prefix (share), and the prefix tree (runtime/kv_prefix_tree.h)
// holds the pages it offers (retain). A page is free again when its last holder lets it
// go. A shared page is read, never written: a sequence that is to write in one first takes
// a copy of its own (unshare, copy-on-write), whose rows the caller copies.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "runtime/kv_page_table.h"

namespace lmc::runtime {

class KvPagePool {
 public:
  // `pages` pages (the paged caches' buffers hold pages * kKvPageRows rows), all free;
  // `table` (one entry per page of a sequence's context) must outlive the pool.
  KvPagePool(KvPageTable& table, int64_t pages);

  int64_t pages() const { return pages_; }
  int64_t free_pages() const { return static_cast<int64_t>(free_.size()); }
  // `seq` holds its pages [first(seq), held(seq)).
  int64_t held(int64_t seq) const { return held_[static_cast<size_t>(seq)]; }
  int64_t first(int64_t seq) const { return first_[static_cast<size_t>(seq)]; }
  // The pages `seq` lacks to hold positions [0, positions).
  int64_t lacking(int64_t seq, int64_t positions) const;
  // Takes the pages `seq` lacks for positions [0, positions): false, taking none, when
  // fewer are free. Throws lmc::Error when `positions` is past a sequence's context.
  bool grow(int64_t seq, int64_t positions);
  // Lets go of `seq`'s pages past those of positions [0, positions).
  void shrink(int64_t seq, int64_t positions);
  // Lets go of `seq`'s pages before its page `page`, which becomes its first: the pages it
  // then grows by start there (a window's pool).
  void drop_before(int64_t seq, int64_t page);
  // Every page free, no sequence holding any (the caches are zeroed).
  void clear();

  // The pages that at least one of `seqs` holds, each counted once (pages that sequences
  // share count once: what those sequences need of the pool, whatever else holds them).
  int64_t pages_held_by(std::span<const int64_t> seqs) const;

  // The holders of the page whose first row is `row`.
  int32_t refs(int32_t row) const { return refs_[page_of(row)]; }
  // One more holder of the page at `row` (which has one), or one fewer: free at none.
  void retain(int32_t row);
  void release(int32_t row);
  // Points `seq`'s page `page` (one it holds, which it lets go, or its next) at the held
  // page at `row`, one more holder of it. Throws lmc::Error for a page before its first.
  void share(int64_t seq, int64_t page, int32_t row);
  // Copy-on-write before `seq` writes in its page `page`: when others hold it too, `seq`
  // takes a free page in its place and gets the row of the one it left, whose rows the
  // caller copies; -1 when the page is its own. Throws lmc::Error when none is free.
  int32_t unshare(int64_t seq, int64_t page);

 private:
  KvPageTable& table_;
  int64_t pages_;
  std::vector<int32_t> free_;  // first rows; the last given back on top
  std::vector<int64_t> held_;   // per sequence: its pages are its entries [first, held)
  std::vector<int64_t> first_;  // per sequence
  std::vector<int32_t> refs_;  // per page: its holders

  size_t page_of(int32_t row) const;  // throws lmc::Error for a row that starts no page
  int32_t take_free();
};

}  // namespace lmc::runtime
