// The ranked merges of a BPE vocabulary as a running tokenizer looks them up: (left token,
// right token) -> the merge's rank and the token it makes, in one flat open-addressing table
// of 16-byte slots. A std::unordered_map spent a heap node and a bucket on each of SmolLM2's
// 48,900 merges.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "models/tokenizer/tokenizer_bpe_merge.h"

namespace lmc::models {

class MergeTable {
 public:
  MergeTable() = default;
  explicit MergeTable(size_t merges);  // room for this many adds

  // A pair already added keeps its first rank: the more urgent merge.
  void add(int32_t left, int32_t right, int32_t rank, int32_t merged);
  // Ranked so that the first merge of the list is the most urgent.
  std::optional<BpeMerge> find(int32_t left, int32_t right) const;
  bool empty() const { return slots_.empty(); }

 private:
  struct Slot {
    int32_t left = -1;  // -1: empty
    int32_t right = -1;
    int32_t rank = 0;
    int32_t merged = -1;
  };
  size_t home_slot(int32_t left, int32_t right) const;

  // A power-of-two size at most three quarters full. Most pairs BPE asks about are not
  // merges, but a miss only reads on through adjacent slots, a cache line holding four.
  std::vector<Slot> slots_;
};

}  // namespace lmc::models
