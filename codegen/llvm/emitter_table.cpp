// The emitter of every kernel kind, from the list codegen/kernel_kinds.def keeps: anchors and
// the other kernels have one each, in its own emit_<kind>.cpp; elementwise ops, row
// reductions and fusion regions without an anchor share the generated loop of
// emit_fused_rows.cpp.
#include <string>
#include <string_view>

#include "codegen/kernel_kind.h"
#include "codegen/llvm/emitter.h"
#include "support/error.h"

namespace lmc::codegen {

namespace {

struct Entry {
  std::string_view kind;
  EmitFn emit;
};

constexpr Entry kEmitters[] = {
#define LMC_KERNEL_KIND(name, stem) {name, emit_##stem##_kernel},
#include "codegen/kernel_kinds.def"
#undef LMC_KERNEL_KIND
};

}  // namespace

EmitFn find_emitter(const KernelDesc& d) {
  std::string_view kind = kernel_kind(d).name;
  for (const Entry& e : kEmitters)
    if (e.kind == kind) return e.emit;
  // kernel_kind and kEmitters expand one list, so every kind it returns is here.
  throw Error("codegen: error: no emitter for kernel kind '" + std::string(kind) + "'");
}

}  // namespace lmc::codegen
