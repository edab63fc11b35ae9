// The rows a fused-rows kernel (codegen/llvm/emit_fused_rows.cpp) walks, validated from its
// region, and its work items. Free of LLVM, so which kernels a graph needs and how they
// split can be known without generating them.
#pragma once
#include "codegen/fused_region.h"

namespace lmc::codegen {

struct FusedRowsLayout {
  ir::Dim rows = ir::Dim::of(1);
  int64_t width = 1;
};

// Throws lmc::Error naming the kernel key when the region has an anchor.
FusedRowsLayout fused_rows_layout(const KernelDesc& d, const FusedRegion& r);

// Rows of the leading dim.
KernelInfo fused_rows_work_items(const KernelDesc& d);

}  // namespace lmc::codegen
