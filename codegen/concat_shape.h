// The static shape of a concat kernel (codegen/emit_concat.cpp), validated from its
// descriptor, and its work items. Free of LLVM, so which kernels a graph needs and how
// they split can be known without generating them.
#pragma once
#include <vector>

#include "codegen/desc_access.h"

namespace lmc::codegen {

struct ConcatShape {
  Rows y;
  std::vector<int64_t> widths;  // of the operands
};

// Throws lmc::Error naming the kernel key when d is not a concat the emitter handles.
ConcatShape concat_shape(const KernelDesc& d);

// Rows.
KernelInfo concat_work_items(const KernelDesc& d);

}  // namespace lmc::codegen
