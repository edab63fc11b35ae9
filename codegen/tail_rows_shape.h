// The static shape of a tail_rows kernel (codegen/llvm/emit_tail_rows.cpp), validated from
// its descriptor, and its work items. Free of LLVM, so which kernels a graph needs and
// how they split can be known without generating them.
#pragma once
#include "codegen/desc_access.h"

namespace lmc::codegen {

struct TailRowsShape {
  Rows x;
  Rows y;
  int64_t row_bytes = 0;
};

// Throws lmc::Error naming the kernel key when d is not a tail_rows the emitter handles.
TailRowsShape tail_rows_shape(const KernelDesc& d);

// Rows of the result.
KernelInfo tail_rows_work_items(const KernelDesc& d);

}  // namespace lmc::codegen
