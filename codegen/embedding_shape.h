// The static shape of an embedding kernel (codegen/llvm/emit_embedding.cpp), validated from
// the anchor of its fusion, and its work items. Free of LLVM, so which kernels a graph
// needs and how they split can be known without generating them.
#pragma once
#include "codegen/kernel_desc.h"

namespace lmc::codegen {

struct EmbeddingShape {
  ir::DType dtype;
  int64_t vocab = 0;  // rows of the table
  int64_t width = 0;
  ir::Dim rows;
  int64_t begin = 0;  // the table's first row's id (one rank's share of a vocabulary)
  bool share = false;
};

// Throws lmc::Error naming the kernel key when the anchor is not an embedding the
// emitter handles.
EmbeddingShape embedding_shape(const KernelDesc& d, const ir::Op& anchor);

// Rows.
KernelInfo embedding_work_items(const KernelDesc& d);

}  // namespace lmc::codegen
