#include "runtime/kv_page_pool.h"

#include <algorithm>
#include <string>

#include "codegen/kernel_abi.h"
#include "support/error.h"

namespace lmc::runtime {

KvPagePool::KvPagePool(KvPageTable& table, int64_t pages)
    : table_(table), pages_(pages), held_(static_cast<size_t>(table.sequences()), 0) {
  if (pages < 1 || pages * kKvPageRows > INT32_MAX)
    throw Error("runtime: error: a KV page pool of " + std::to_string(pages) + " pages (1 to " +
                std::to_string(INT32_MAX / kKvPageRows) + ")");
  for (int64_t p = pages - 1; p >= 0; --p) free_.push_back(static_cast<int32_t>(p * kKvPageRows));
}

int64_t KvPagePool::lacking(int64_t seq, int64_t positions) const {
  return std::max<int64_t>(0, kv_pages_per_sequence(positions) - held(seq));
}

bool KvPagePool::grow(int64_t seq, int64_t positions) {
  if (positions > table_.pages_per_sequence() * kKvPageRows)
    throw Error("runtime: error: " + std::to_string(positions) + " positions are past a sequence's " +
                std::to_string(table_.pages_per_sequence()) + " KV pages");
  const int64_t need = lacking(seq, positions);
  if (need > free_pages()) return false;
  int64_t& held = held_[static_cast<size_t>(seq)];
  for (int64_t i = 0; i < need; ++i) {
    table_.set_first_row(seq, held++, free_.back());
    free_.pop_back();
  }
  return true;
}

void KvPagePool::shrink(int64_t seq, int64_t positions) {
  int64_t& held = held_[static_cast<size_t>(seq)];
  for (const int64_t keep = kv_pages_per_sequence(positions); held > keep;)
    free_.push_back(table_.first_row(seq, --held));
}

}  // namespace lmc::runtime
