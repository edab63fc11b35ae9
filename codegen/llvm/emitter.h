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

struct Emitter {
  std::string_view kind;  // KernelKind::name
  void (*emit)(llvm::Function& fn, const KernelDesc& d);
};

// The emitter of d's kernel kind (a fusion's is its anchor's). Throws lmc::Error when
// none matches (the op must be folded or aliased before codegen).
const Emitter& find_emitter(const KernelDesc& d);

}  // namespace lmc::codegen
