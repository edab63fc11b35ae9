// The emitter of every kernel kind: anchors and the other kernels have one each, in its
// own emit_<kind>.cpp; elementwise ops, row reductions and fusion regions without an
// anchor share the generated loop of emit_fused_rows.cpp. To add a kernel kind, list it
// in codegen/kernel_kind.cpp, and declare its emitter here and list it in kEmitters.
#include <array>
#include <string>

#include "codegen/llvm/emitter.h"
#include "codegen/kernel_kind.h"
#include "support/error.h"

namespace lmc::codegen {

extern const Emitter kEmitLinear;
extern const Emitter kEmitEmbedding;
extern const Emitter kEmitFusedRows;
extern const Emitter kEmitKvWrite;
extern const Emitter kEmitAttention;
extern const Emitter kEmitSplit;
extern const Emitter kEmitConcat;
extern const Emitter kEmitTailRows;
extern const Emitter kEmitMoeRoute;
extern const Emitter kEmitExpertLinear;
extern const Emitter kEmitExpertSum;

namespace {
const std::array kEmitters{
    &kEmitLinear, &kEmitEmbedding, &kEmitKvWrite,  &kEmitAttention,
    &kEmitSplit,  &kEmitConcat,    &kEmitTailRows, &kEmitFusedRows, &kEmitMoeRoute, &kEmitExpertLinear, &kEmitExpertSum,
};
}  // namespace

const Emitter& find_emitter(const KernelDesc& d) {
  std::string_view kind = kernel_kind(d).name;
  for (const Emitter* e : kEmitters)
    if (e->kind == kind) return *e;
  // Only a kind listed in codegen/kernel_kind.cpp but not in kEmitters gets here.
  throw Error("codegen: error: no emitter for kernel kind '" + std::string(kind) + "'");
}

}  // namespace lmc::codegen
