#include "models/tokenizer/tokenizer_merge_table.h"

#include <bit>

namespace lmc::models {

MergeTable::MergeTable(size_t merges) {
  if (merges > 0) slots_.resize(std::bit_ceil(merges + merges / 3 + 1));
}

// Fibonacci hashing: the pair's 64 bits times 2^64/phi, whose top bits spread the ids'
// low bits over the table.
size_t MergeTable::home_slot(int32_t left, int32_t right) const {
  const uint64_t key = (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) | static_cast<uint32_t>(right);
  return static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> (64 - std::countr_zero(slots_.size())));
}

void MergeTable::add(int32_t left, int32_t right, int32_t rank, int32_t merged) {
  for (size_t s = home_slot(left, right);; s = (s + 1) & (slots_.size() - 1)) {
    Slot& slot = slots_[s];
    if (slot.left < 0) {
      slot = {left, right, rank, merged};
      return;
    }
    if (slot.left == left && slot.right == right) return;
  }
}

std::optional<BpeMerge> MergeTable::find(int32_t left, int32_t right) const {
  if (slots_.empty()) return std::nullopt;
  for (size_t s = home_slot(left, right);; s = (s + 1) & (slots_.size() - 1)) {
    const Slot& slot = slots_[s];
    if (slot.left < 0) return std::nullopt;
    if (slot.left == left && slot.right == right) return BpeMerge{-static_cast<double>(slot.rank), slot.merged};
  }
}

}  // namespace lmc::models
