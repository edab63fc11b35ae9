// The KV page table as kv_write and attention read it (codegen/kernel_abi.h): the args
// entry after the kernel's results (the one after it for a sliding window's cache),
// kv_pages_per_sequence(C) int32 first rows per sequence slot. A cache whose rows are the
// symbol C is paged; a ring (static rows) is not.
#pragma once
#include "codegen/kernel_desc.h"
#include "codegen/llvm/builder/llvm_helpers.h"

namespace lmc::codegen {

class KvPages {
 public:
  // `window`: the window page table, for a sliding window's cache.
  KvPages(Builder& b, const KernelParams& p, const KernelDesc& d, bool window);

  // Sequence `seq`'s (i64) entries of the table.
  llvm::Value* of_sequence(llvm::Value* seq) const;

 private:
  Builder& b_;
  llvm::Value* table_;
  llvm::Value* per_sequence_;
};

// The cache row (i64) that holds position `pos` (i64, below C) of the sequence whose
// entries are `pages` (KvPages::of_sequence).
llvm::Value* kv_page_row(Builder& b, llvm::Value* pages, llvm::Value* pos);

}  // namespace lmc::codegen
