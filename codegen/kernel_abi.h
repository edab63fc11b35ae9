// The one plain C ABI every generated kernel has. runtime/ calls kernels only
// through this signature, so it never needs LLVM.
//
//   void kernel(void* const* args, const int64_t* syms, int64_t begin, int64_t end);
//
// args  — buffer pointers: the op's operands in order, then its results in order, then
//         the KV page table and the window page table (below). A scalar operand (i32[]) is a pointer to one int32.
// syms  — run-time values of the symbolic dims, indexed by ir::Sym (T, L, C).
// begin, end — the half-open range of work items this call computes. Each kernel
//         kind defines its work items (KernelInfo::items); disjoint ranges write
//         disjoint bytes, so the runtime may run ranges on different threads.
//
// The KV page table. A cache as long as the context (rows the symbol C) is paged: position
// p of sequence s lives in row table[s * pages + p / kKvPageRows] + p % kKvPageRows of the
// cache's buffer, with pages = ceil(C / kKvPageRows) entries (int32, a page's first row)
// per sequence slot. One table serves every paged cache of a graph but those of sliding
// windows, since every such layer holds the same positions of a sequence. A sliding window's
// cache (kv_write's and attention's window attribute, C rows) reads the window page table,
// laid out alike, whose entries are valid only for the pages of a sequence's last window
// positions (and the step's): the pages before are given back, or reused as a ring of pages.
// Every kernel gets both pointers; kv_write and attention read one when their cache is
// paged. A ring (static rows) is not: sequence s's ring starts s * rows rows in, as before.
#pragma once
#include <cstdint>

extern "C" {
typedef void (*lmc_kernel_fn)(void* const* args, const int64_t* syms, int64_t begin, int64_t end);
}

namespace lmc {

// Positions per KV page. Small, so that a sequence's last, half-written page and the
// pages a sliding window has left behind are little memory; attention's key block (64)
// spans several pages, and the kernel looks each key's row up in the table.
constexpr int64_t kKvPageRows = 16;

// Pages a sequence of `context` positions spans.
constexpr int64_t kv_pages_per_sequence(int64_t context) { return (context + kKvPageRows - 1) / kKvPageRows; }

}  // namespace lmc
