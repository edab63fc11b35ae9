#include "tests/codegen/paged_caches.h"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <random>

#include "codegen/kernel_abi.h"

namespace lmc::test {

PagedCaches::PagedCaches(int64_t sequences, int64_t context)
    : sequences_(sequences), context_(context), pool_rows_(sequences * context) {
  for (int64_t s = 0; s < sequences; ++s)
    for (int64_t j = 0; j < kv_pages_per_sequence(context); ++j)
      table_.push_back(static_cast<int32_t>(s * context + j * kKvPageRows));
}

PagedCaches::PagedCaches(int64_t sequences, int64_t context, int64_t spare, uint32_t seed)
    : sequences_(sequences), context_(context) {
  const int64_t used = sequences * kv_pages_per_sequence(context);
  std::vector<int32_t> pages(static_cast<size_t>(used + spare));
  std::iota(pages.begin(), pages.end(), 0);
  std::shuffle(pages.begin(), pages.end(), std::mt19937(seed));
  pool_rows_ = (used + spare) * kKvPageRows;
  for (int64_t i = 0; i < used; ++i)
    table_.push_back(static_cast<int32_t>(pages[static_cast<size_t>(i)] * kKvPageRows));
}

int64_t PagedCaches::pool_row(int64_t seq, int64_t pos) const {
  return table_[static_cast<size_t>(seq * kv_pages_per_sequence(context_) + pos / kKvPageRows)] + pos % kKvPageRows;
}

std::vector<uint8_t> PagedCaches::to_pool(const std::vector<uint8_t>& caches, int64_t row_bytes) const {
  std::vector<uint8_t> pool(static_cast<size_t>(pool_rows_ * row_bytes), 0xFF);
  for (int64_t s = 0; s < sequences_; ++s)
    for (int64_t p = 0; p < context_; ++p)
      std::memcpy(pool.data() + pool_row(s, p) * row_bytes, caches.data() + (s * context_ + p) * row_bytes,
                  static_cast<size_t>(row_bytes));
  return pool;
}

std::vector<uint8_t> PagedCaches::from_pool(const std::vector<uint8_t>& pool, int64_t row_bytes) const {
  std::vector<uint8_t> caches(static_cast<size_t>(sequences_ * context_ * row_bytes));
  for (int64_t s = 0; s < sequences_; ++s)
    for (int64_t p = 0; p < context_; ++p)
      std::memcpy(caches.data() + (s * context_ + p) * row_bytes, pool.data() + pool_row(s, p) * row_bytes,
                  static_cast<size_t>(row_bytes));
  return caches;
}

bool PagedCaches::unused_rows_untouched(const std::vector<uint8_t>& pool, int64_t row_bytes) const {
  std::vector<bool> used(static_cast<size_t>(pool_rows_), false);
  for (int64_t s = 0; s < sequences_; ++s)
    for (int64_t p = 0; p < context_; ++p) used[static_cast<size_t>(pool_row(s, p))] = true;
  for (int64_t r = 0; r < pool_rows_; ++r) {
    if (used[static_cast<size_t>(r)]) continue;
    const uint8_t* row = pool.data() + r * row_bytes;
    if (std::any_of(row, row + row_bytes, [](uint8_t b) { return b != 0xFF; })) return false;
  }
  return true;
}

}  // namespace lmc::test
