// The module's KernelEmitter: one LLVM module per kernel (so dumps are per kernel),
// verified and optimized with O3, then linked into one object file for the target.
#pragma once
#include <memory>

#include "codegen/codegen_module.h"

namespace lmc::codegen {

std::unique_ptr<KernelEmitter> make_llvm_kernel_emitter(const TargetSpec& target);

}  // namespace lmc::codegen
