// Every kernel kind codegen can emit. Each emitter lives in its own emit_<kind>.cpp;
// to add one, declare it here and list it in kEmitters.
#include <array>

#include "codegen/emitter.h"

namespace lmc::codegen {

extern const Emitter kEmitLinear;

namespace {
const std::array kEmitters{
    &kEmitLinear,
};
}  // namespace

const Emitter* find_emitter(std::string_view kind) {
  for (const Emitter* e : kEmitters)
    if (e->kind == kind) return e;
  return nullptr;
}

}  // namespace lmc::codegen
