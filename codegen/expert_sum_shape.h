// The static shape of an expert_sum kernel (codegen/llvm/emit_expert_sum.cpp), validated from
// its descriptor, and its work items. Free of LLVM.
#pragma once
#include "codegen/desc_access.h"

namespace lmc::codegen {

struct ExpertSumShape {
  ir::Dim rows;
  int64_t k = 0;  // slots per row
  int64_t D = 0;  // output width
};

// Throws lmc::Error naming the kernel key when d is not an expert_sum the emitter handles.
ExpertSumShape expert_sum_shape(const KernelDesc& d);

// Rows.
KernelInfo expert_sum_work_items(const KernelDesc& d);

}  // namespace lmc::codegen
