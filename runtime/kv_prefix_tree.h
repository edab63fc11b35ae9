// The prompt prefixes whose KV pages the pool still has (SGLang's radix cache, at the
// granularity of a page): a trie whose every node is one whole page of kKvPageRows
// tokens, below the node of the page before it, and holds that page (KvPagePool::retain),
// so it outlives the sequence that computed it. A prompt that starts with a path of the
// trie points its first pages at the path's (KvPagePool::share) instead of computing them:
// the rows of a page depend only on the tokens up to its end, which the path fixes. Only
// whole pages are shared: a sequence's last page, half written, is its own.
//
// Sliding windows (a window pool, runtime/kv_cache.h): a node also holds the window page of
// its positions while a continuation may read it, that is while it lies in the window
// before the end of a node where prompts part or end (a leaf, a node with several children
// or after which an offered or matched prompt went on otherwise): a cached prefix keeps its last window of sliding
// pages, not its whole length. A node lacking its window page takes it from a sequence that offers it. A match ends
// where the window before it is whole.
//
// The pages of finished sequences stay while the pool has room; when a request needs
// pages, evict() lets go of the page used least recently that nothing else holds and
// nothing continues (a leaf), so what goes first is the tail of an old prompt.
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "runtime/kv_page_pool.h"

namespace lmc::runtime {

class KvPrefixTree {
 public:
  // The pools outlive the tree; `window_pool` (or nullptr) holds the pages of sliding
  // windows of `window` positions.
  explicit KvPrefixTree(KvPagePool& pool, KvPagePool* window_pool = nullptr, int64_t window = 0);
  ~KvPrefixTree();                          // lets go of its pages
  KvPrefixTree(const KvPrefixTree&) = delete;
  KvPrefixTree& operator=(const KvPrefixTree&) = delete;

  // The first rows of the pages of the longest run of whole pages `tokens` starts with, at
  // most `max_pages` and, with windows, as far as the tree holds the window pages before the
  // run's end; with `touch`, they count as used now (for eviction).
  std::vector<int32_t> match(std::span<const int32_t> tokens, int64_t max_pages, bool touch = true) const;
  // The first rows of the window pages that a continuation after the first `pages` whole
  // pages of `tokens` reads, pages [window_first_page(pages), pages) (a match's).
  std::vector<int32_t> window_rows(std::span<const int32_t> tokens, int64_t pages) const;
  // The first page of the window before the end of `pages` pages.
  int64_t window_first_page(int64_t pages) const;
  // Adds the whole pages of `tokens` that the tree lacks, page j's rows at rows[j] (at
  // least as many rows as whole pages), and marks the path used now. Where it has a page of
  // the same tokens at another row (another sequence computed it), it keeps its own and adds
  // none of the rest. `window_rows` (with windows): the window pages' first rows, -1 for
  // those the sequence let go of.
  // With `trim`, it lets go of the window pages no continuation reads (a prompt read offers
  // its pages without, as a prompt that comes while its sequence runs may part anywhere).
  void insert(std::span<const int32_t> tokens, std::span<const int32_t> rows, std::span<const int32_t> window_rows = {},
              bool trim = true);
  // Marks where `tokens` parts from the tree, when it does after a whole page of it, as a
  // place prompts part, and lets go of the window pages no continuation reads.
  void part(std::span<const int32_t> tokens);
  // Lets go of the window pages no continuation reads (the window pool runs short).
  void trim() {
    if (window_ > 0) trim_windows(*root_, 0);
  }
  // Forgets the prompts that start with the first whole page of `tokens` (a slot's erased
  // cache: no prompt starts from it), letting go of their pages.
  void forget(std::span<const int32_t> tokens);
  // Lets go of the least recently used page that only the tree holds and nothing continues:
  // false when there is none.
  bool evict();
  int64_t pages() const { return pages_; }
  int64_t window_pages() const { return window_pages_; }

  struct Node;  // a page of the trie (kv_prefix_tree.cpp)

 private:
  void release_below(Node& top);  // lets go of the pages of `top` and what continues it
  void release(Node& n);                // of n's pages
  Node* add_child(Node& n, std::span<const int32_t> page, int32_t row);  // holding the page at `row`
  // Lets go of the window pages no continuation reads; the depth of the shallowest node
  // below `n` (n's depth `depth`) where prompts part or end.
  int64_t trim_windows(Node& n, int64_t depth);

  KvPagePool& pool_;
  KvPagePool* window_pool_;
  int64_t window_;
  std::unique_ptr<Node> root_;
  int64_t pages_ = 0;
  int64_t window_pages_ = 0;
  mutable uint64_t clock_ = 0;  // ticks at each match and insert: when a page was used last
};

}  // namespace lmc::runtime
