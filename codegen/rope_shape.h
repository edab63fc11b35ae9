// The static shape of a rope kernel (codegen/emit_rope.cpp), validated from its
// descriptor, and its work items. Free of LLVM, so which kernels a graph needs and how
// they split can be known without generating them.
#pragma once
#include "codegen/desc_access.h"

namespace lmc::codegen {

struct RopeShape {
  Rows x;
  int64_t head_dim = 0;
  double base = 0;
  bool neox = true;
  int64_t pairs() const { return head_dim / 2; }
};

// Throws lmc::Error naming the kernel key when d is not a rope the emitter handles.
RopeShape rope_shape(const KernelDesc& d);

// Rows.
KernelInfo rope_work_items(const KernelDesc& d);

}  // namespace lmc::codegen
