// Every kernel kind codegen can emit. Elementwise ops, row reductions and fusion
// regions without an anchor share the generated loop of emit_fused_rows.cpp; anchors
// and the other kernels have an emitter each, in its own emit_<kind>.cpp. To add a
// kernel kind, declare its emitter here and list it in kEmitters.
#include <array>

#include "codegen/emitter.h"
#include "ir/op_registry.h"

namespace lmc::codegen {

extern const Emitter kEmitLinear;
extern const Emitter kEmitEmbedding;
extern const Emitter kEmitFusedRows;
extern const Emitter kEmitRope;
extern const Emitter kEmitKvWrite;
extern const Emitter kEmitAttention;
extern const Emitter kEmitSplit;
extern const Emitter kEmitConcat;
extern const Emitter kEmitTailRows;

namespace {
const std::array kEmitters{
    &kEmitLinear, &kEmitEmbedding, &kEmitRope, &kEmitKvWrite, &kEmitAttention,
    &kEmitSplit,  &kEmitConcat,    &kEmitTailRows,
};

// A fusion runs around its anchor's emitter; without one, as a loop over rows.
std::string_view anchor_kind(const KernelDesc& d) {
  if (d.body)
    for (const auto& op : d.body->ops())
      if (ir::is_role(*op, ir::OpRole::Anchor)) return op->kind();
  return d.kind;
}
}  // namespace

const Emitter* find_emitter(const KernelDesc& d) {
  std::string_view kind = anchor_kind(d);
  for (const Emitter* e : kEmitters)
    if (e->kind == kind) return e;
  const ir::OpDef* def = ir::find_op(kind);
  if (!def) return nullptr;
  ir::OpRole role = def->traits.role;
  if (role == ir::OpRole::Elementwise || role == ir::OpRole::RowReduction || role == ir::OpRole::Region)
    return &kEmitFusedRows;
  return nullptr;
}

}  // namespace lmc::codegen
