// The static shape of a kv_write kernel (codegen/llvm/emit_kv_write.cpp), validated from its
// descriptor, and its work items. Free of LLVM, so which kernels a graph needs and how
// they split can be known without generating them.
#pragma once
#include "codegen/desc_access.h"

namespace lmc::codegen {

struct KvWriteShape {
  Rows cache;
  Rows x;
  ir::DType dtype = ir::DType::f32;
  int64_t row_bytes = 0;  // of a cache row
};

// Throws lmc::Error naming the kernel key when d is not a kv_write the emitter handles.
KvWriteShape kv_write_shape(const KernelDesc& d);

// Rows of the input.
KernelInfo kv_write_work_items(const KernelDesc& d);

}  // namespace lmc::codegen
