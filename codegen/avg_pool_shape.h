// The static shape of an avg_pool kernel (codegen/llvm/emit_avg_pool.cpp), validated from
// its descriptor, and its work items. Free of LLVM, so which kernels a graph needs and
// how they split can be known without generating them.
#pragma once
#include "codegen/desc_access.h"

namespace lmc::codegen {

struct AvgPoolShape {
  Rows x;              // side² rows (or T, bound to side² at run time)
  int64_t side = 0;    // the grid's rows and columns
  int64_t window = 0;  // the side of a square averaged into one result row
  int64_t pooled_side() const { return side / window; }
};

// Throws lmc::Error naming the kernel key when d is not an avg_pool the emitter handles.
AvgPoolShape avg_pool_shape(const KernelDesc& d);

// Rows of the result.
KernelInfo avg_pool_work_items(const KernelDesc& d);

}  // namespace lmc::codegen
