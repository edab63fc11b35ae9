#include "runtime/kv_page_pool.h"

#include <algorithm>
#include <string>
#include <vector>

#include "codegen/kernel_abi.h"
#include "support/error.h"

namespace lmc::runtime {

KvPagePool::KvPagePool(KvPageTable& table, int64_t pages)
    : table_(table),
      pages_(pages),
      held_(static_cast<size_t>(table.sequences()), 0),
      first_(static_cast<size_t>(table.sequences()), 0) {
  if (pages < 1 || pages * kKvPageRows > INT32_MAX)
    throw Error("runtime: error: a KV page pool of " + std::to_string(pages) + " pages (1 to " +
                std::to_string(INT32_MAX / kKvPageRows) + ")");
  clear();
}

void KvPagePool::clear() {
  free_.clear();
  for (int64_t p = pages_ - 1; p >= 0; --p) free_.push_back(static_cast<int32_t>(p * kKvPageRows));
  std::fill(held_.begin(), held_.end(), 0);
  std::fill(first_.begin(), first_.end(), 0);
  refs_.assign(static_cast<size_t>(pages_), 0);
}

size_t KvPagePool::page_of(int32_t row) const {
  if (row < 0 || row % kKvPageRows != 0 || row / kKvPageRows >= pages_)
    throw Error("runtime: error: row " + std::to_string(row) + " starts no page of the KV pool");
  return static_cast<size_t>(row / kKvPageRows);
}

int32_t KvPagePool::take_free() {
  const int32_t row = free_.back();
  free_.pop_back();
  refs_[page_of(row)] = 1;
  return row;
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
  for (int64_t i = 0; i < need; ++i) table_.set_first_row(seq, held++, take_free());
  return true;
}

void KvPagePool::shrink(int64_t seq, int64_t positions) {
  int64_t& held = held_[static_cast<size_t>(seq)];
  int64_t& first = first_[static_cast<size_t>(seq)];
  const int64_t keep = kv_pages_per_sequence(positions);
  while (held > std::max(keep, first)) release(table_.first_row(seq, --held));
  if (keep < first) held = first = keep;  // holds none: it grows from there
}

void KvPagePool::drop_before(int64_t seq, int64_t page) {
  int64_t& held = held_[static_cast<size_t>(seq)];
  int64_t& first = first_[static_cast<size_t>(seq)];
  for (; first < std::min(page, held); ++first) release(table_.first_row(seq, first));
  first = std::max(first, page);
  held = std::max(held, first);
}

int64_t KvPagePool::pages_held_by(std::span<const int64_t> seqs) const {
  std::vector<bool> seen(static_cast<size_t>(pages_), false);
  int64_t n = 0;
  for (const int64_t seq : seqs)
    for (int64_t j = first(seq); j < held(seq); ++j) {
      const size_t page = page_of(table_.first_row(seq, j));
      if (seen[page]) continue;
      seen[page] = true;
      ++n;
    }
  return n;
}

void KvPagePool::retain(int32_t row) {
  int32_t& refs = refs_[page_of(row)];
  if (refs == 0) throw Error("runtime: error: the KV page at row " + std::to_string(row) + " is free");
  ++refs;
}

void KvPagePool::release(int32_t row) {
  int32_t& refs = refs_[page_of(row)];
  if (refs == 0) throw Error("runtime: error: the KV page at row " + std::to_string(row) + " is free");
  if (--refs == 0) free_.push_back(row);
}

void KvPagePool::share(int64_t seq, int64_t page, int32_t row) {
  int64_t& held = held_[static_cast<size_t>(seq)];
  if (page > held || page < first(seq) || page >= table_.pages_per_sequence())
    throw Error("runtime: error: sequence " + std::to_string(seq) + " cannot share its page " + std::to_string(page) +
                ": it holds " + std::to_string(held));
  retain(row);
  if (page < held)
    release(table_.first_row(seq, page));
  else
    ++held;
  table_.set_first_row(seq, page, row);
}

int32_t KvPagePool::unshare(int64_t seq, int64_t page) {
  if (page >= held(seq) || page < first(seq))
    throw Error("runtime: error: sequence " + std::to_string(seq) + " holds no page " + std::to_string(page));
  const int32_t row = table_.first_row(seq, page);
  if (refs(row) == 1) return -1;
  if (free_.empty()) throw Error("runtime: error: no free KV page to copy a shared one into");
  table_.set_first_row(seq, page, take_free());
  release(row);
  return row;
}

}  // namespace lmc::runtime
