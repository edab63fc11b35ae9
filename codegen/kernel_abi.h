// The one plain C ABI every generated kernel has. runtime/ calls kernels only
// through this signature, so it never needs LLVM.
//
//   void kernel(void* const* args, const int64_t* syms, int64_t begin, int64_t end);
//
// args  — buffer pointers: the op's operands in order, then its results in order.
//         A scalar operand (i32[]) is a pointer to one int32.
// syms  — run-time values of the symbolic dims, indexed by ir::Sym (T, L, C).
// begin, end — the half-open range of work items this call computes. Each kernel
//         kind defines its work items (KernelInfo::items); disjoint ranges write
//         disjoint bytes, so the runtime may run ranges on different threads.
#pragma once
#include <cstdint>

extern "C" {
typedef void (*lmc_kernel_fn)(void* const* args, const int64_t* syms, int64_t begin, int64_t end);
}
