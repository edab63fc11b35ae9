// Kernel emitters: each kernel kind (codegen/kernel_kind.h) has one, in its own file
// (emit_<kind>.cpp). An emitter fills the body of a function that already has the
// kernel ABI signature (codegen/kernel_abi.h), specialised to the descriptor's static
// dims and attributes.
#pragma once
#include <string_view>

#include "codegen/kernel_desc.h"

namespace llvm {
class Function;
}

namespace lmc::codegen {

// Each kind's emitter, as codegen/kernel_kinds.def names it.
#define LMC_KERNEL_KIND(name, stem) void emit_##stem##_kernel(llvm::Function& fn, const KernelDesc& d);
#include "codegen/kernel_kinds.def"
#undef LMC_KERNEL_KIND

using EmitFn = void (*)(llvm::Function& fn, const KernelDesc& d);

// The emitter of d's kernel kind (a fusion's is its anchor's). Throws lmc::Error when
// none matches (the op must be folded or aliased before codegen).
EmitFn find_emitter(const KernelDesc& d);

}  // namespace lmc::codegen
