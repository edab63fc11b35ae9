// The static shape of a split kernel (codegen/llvm/emit_split.cpp), validated from its
// descriptor, and its work items. Free of LLVM, so which kernels a graph needs and how
// they split can be known without generating them.
#pragma once
#include "codegen/desc_access.h"

namespace lmc::codegen {

// The input is the whole, the results its pieces. Throws lmc::Error naming the kernel
// key when d is not a split the emitter handles.
ColumnParts split_shape(const KernelDesc& d);

// Rows.
KernelInfo split_work_items(const KernelDesc& d);

}  // namespace lmc::codegen
