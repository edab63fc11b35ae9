// KV caches in pages as the kernels address them (codegen/kernel_abi.h), for the kv_write
// and attention tests: a page table in the fixed layout (each sequence's pages in order,
// the per-slot caches back to back) or scrambled over a larger pool, and per-sequence
// caches moved into and out of the pool's rows.
#pragma once
#include <cstdint>
#include <vector>

namespace lmc::test {

class PagedCaches {
 public:
  // `sequences` caches of `context` rows, in the fixed layout.
  PagedCaches(int64_t sequences, int64_t context);
  // The same pages in a seeded random order over a pool with `spare` more pages, which no
  // sequence uses.
  PagedCaches(int64_t sequences, int64_t context, int64_t spare, uint32_t seed);

  // The page table the kernels get.
  int32_t* table() { return table_.data(); }
  // The caches (sequences * context rows of `row_bytes`, back to back) in the pool's rows;
  // the rows of no position hold 0xFF.
  std::vector<uint8_t> to_pool(const std::vector<uint8_t>& caches, int64_t row_bytes) const;
  // The pool's rows back in per-sequence caches.
  std::vector<uint8_t> from_pool(const std::vector<uint8_t>& pool, int64_t row_bytes) const;
  // Whether the pool's rows that hold no position are all still 0xFF.
  bool unused_rows_untouched(const std::vector<uint8_t>& pool, int64_t row_bytes) const;

 private:
  int64_t sequences_, context_, pool_rows_;
  std::vector<int32_t> table_;

  int64_t pool_row(int64_t seq, int64_t pos) const;
};

}  // namespace lmc::test
