// Which kernel a descriptor needs and how it splits into work items, without LLVM: the
// kinds of kernel codegen generates, each with the function that validates a descriptor
// of its kind as its emitter does and gives the work items. A fusion is its anchor's
// kind; elementwise ops, row reductions and fusion regions without an anchor are one
// kind, the generated loop over rows. codegen/kernel_kinds.def lists the kinds, and the
// emitters (codegen/llvm/emitter.h) are expanded from the same list; what is free of LLVM
// here lets a model's kernels be sized and split without loading libLLVM.
#pragma once
#include <string_view>

#include "codegen/kernel_desc.h"

namespace lmc::codegen {

struct KernelKind {
  std::string_view name;                         // the anchor's IR op name, or "fusion": rows
  KernelInfo (*work_items)(const KernelDesc& d);  // throws lmc::Error on a malformed d
};

// The kind of d's kernel. Throws lmc::Error when none matches (the op must be folded
// or aliased before codegen).
const KernelKind& kernel_kind(const KernelDesc& d);

// The work items of d's kernel. Throws lmc::Error as kernel_kind() does, and naming the
// kernel key when its kind's emitter would reject d.
KernelInfo kernel_work_items(const KernelDesc& d);

}  // namespace lmc::codegen
