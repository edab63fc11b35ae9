// Which kernel a linear's prefill takes: the anchor's `prefill` attribute, set by the
// pass that times the candidates on the host (or by a flag that forces one). Absent, the
// target decides as before: the int8 tiles where it has AMX-INT8, else the VNNI GEMM.
// Read by the work items (a bf16 tile GEMM splits its columns, codegen/linear_shape.cpp)
// and by the emitter, so the two always agree; free of LLVM.
#pragma once
#include <string>

#include "codegen/kernel_desc.h"
#include "ir/graph.h"

namespace lmc::codegen {

enum class PrefillVariant { Default, Vnni, Int8Tiles, Bf16Tiles };

// The attribute's name and its values as the IR spells them.
inline constexpr const char* kPrefillAttr = "prefill";
const char* prefill_variant_name(PrefillVariant v);

// The anchor's choice; throws lmc::Error naming the kernel on an unknown value.
PrefillVariant prefill_variant(const KernelDesc& d, const ir::Op& anchor);

}  // namespace lmc::codegen
