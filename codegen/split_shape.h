// The static shape of a split kernel (codegen/emit_split.cpp), validated from its
// descriptor, and its work items. Free of LLVM, so which kernels a graph needs and how
// they split can be known without generating them.
#pragma once
#include <vector>

#include "codegen/desc_access.h"

namespace lmc::codegen {

struct SplitShape {
  Rows x;
  std::vector<int64_t> widths;  // of the results
};

// Throws lmc::Error naming the kernel key when d is not a split the emitter handles.
SplitShape split_shape(const KernelDesc& d);

// Rows.
KernelInfo split_work_items(const KernelDesc& d);

}  // namespace lmc::codegen
