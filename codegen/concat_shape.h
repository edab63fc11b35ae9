// The static shape of a concat kernel (codegen/llvm/emit_concat.cpp), validated from its
// descriptor, and its work items. Free of LLVM, so which kernels a graph needs and how
// they split can be known without generating them.
#pragma once
#include "codegen/desc_access.h"

namespace lmc::codegen {

// The result is the whole, the operands its pieces. Throws lmc::Error naming the kernel
// key when d is not a concat the emitter handles.
ColumnParts concat_shape(const KernelDesc& d);

// Rows.
KernelInfo concat_work_items(const KernelDesc& d);

}  // namespace lmc::codegen
