// Every kernel kind codegen can emit. Each emitter lives in its own emit_<kind>.cpp;
// to add one, declare it here and list it in kEmitters.
#include <array>

#include "codegen/emitter.h"

namespace lmc::codegen {

extern const Emitter kEmitLinear;
extern const Emitter kEmitEmbedding;
extern const Emitter kEmitRmsNorm;
extern const Emitter kEmitLayerNorm;
extern const Emitter kEmitAdd;
extern const Emitter kEmitMul;
extern const Emitter kEmitScale;
extern const Emitter kEmitGelu;
extern const Emitter kEmitGeluTanh;
extern const Emitter kEmitSilu;
extern const Emitter kEmitRope;
extern const Emitter kEmitKvWrite;
extern const Emitter kEmitAttention;
extern const Emitter kEmitSplit;
extern const Emitter kEmitConcat;
extern const Emitter kEmitTailRows;

namespace {
const std::array kEmitters{
    &kEmitLinear,
    &kEmitEmbedding,
    &kEmitRmsNorm,
    &kEmitLayerNorm,
    &kEmitAdd,
    &kEmitMul,
    &kEmitScale,
    &kEmitGelu,
    &kEmitGeluTanh,
    &kEmitSilu,
    &kEmitRope,
    &kEmitKvWrite,
    &kEmitAttention,
    &kEmitSplit,
    &kEmitConcat,
    &kEmitTailRows,
};
}  // namespace

const Emitter* find_emitter(std::string_view kind) {
  for (const Emitter* e : kEmitters)
    if (e->kind == kind) return e;
  return nullptr;
}

}  // namespace lmc::codegen
