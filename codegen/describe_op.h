// Which IR ops run a kernel, and the descriptor of that kernel. Shared by the
// compiler (which generates kernels) and the runtime (which finds them by key).
#pragma once
#include "codegen/kernel_desc.h"
#include "ir/graph.h"

namespace lmc::codegen {

// Ops whose traits say they run a kernel (not param, not reshape).
bool needs_kernel(const ir::Op& op);
KernelDesc describe(const ir::Op& op);

}  // namespace lmc::codegen
