// The static shape of a moe_route kernel (codegen/llvm/emit_moe_route.cpp), validated from its
// descriptor, and its work items. Free of LLVM.
#pragma once
#include "codegen/desc_access.h"

namespace lmc::codegen {

struct MoeRouteShape {
  Rows logits;       // [R, E]
  int64_t k = 0;     // experts per row
  bool sigmoid = false;  // scores by sigmoid, else softmax over the row
  bool norm_topk = false;  // the k scores renormalized to sum 1
};

// Throws lmc::Error naming the kernel key when d is not a moe_route the emitter handles.
MoeRouteShape moe_route_shape(const KernelDesc& d);

// Rows.
KernelInfo moe_route_work_items(const KernelDesc& d);

}  // namespace lmc::codegen
