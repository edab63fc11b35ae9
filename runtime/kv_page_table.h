// The KV page table the kernels read (codegen/kernel_abi.h): for each sequence slot, the
// first row of each of its pages of kKvPageRows positions in the buffers of the caches
// as long as the context (rings are not paged). Built in the fixed layout, where sequence
// s's pages follow each other from row s * context, exactly the per-slot caches back to
// back; a page pool (runtime/kv_page_pool.h) points the entries at the pages it hands out.
// The entries' address never changes, so the kernels' argument lists are built once.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace lmc::runtime {

class KvPageTable {
 public:
  // Throws lmc::Error when sequences or context is below 1, or a row of sequences * context
  // would not fit an int32 entry.
  KvPageTable(int64_t sequences, int64_t context);

  int64_t sequences() const { return sequences_; }
  int64_t pages_per_sequence() const { return per_sequence_; }
  // The first row of page `page` of sequence `seq`.
  int32_t first_row(int64_t seq, int64_t page) const { return entries_[index(seq, page)]; }
  void set_first_row(int64_t seq, int64_t page, int32_t row) { entries_[index(seq, page)] = row; }
  // What the kernels get.
  int32_t* data() { return entries_.data(); }

 private:
  int64_t sequences_;
  int64_t per_sequence_;
  std::vector<int32_t> entries_;

  size_t index(int64_t seq, int64_t page) const { return static_cast<size_t>(seq * per_sequence_ + page); }
};

}  // namespace lmc::runtime
