// Readable symbol names for kernels: kind, dtypes and dims ("linear_q8_0_640x2048"),
// so dumps and profiles can be read at a glance.
#pragma once
#include <string>

#include "codegen/kernel_desc.h"

namespace lmc::codegen {

// kind + non-f32 dtypes (else "f32") + static dims of operand 0, then those of
// result 0 when they differ, + string attribute values; only [A-Za-z0-9_].
std::string kernel_base_name(const KernelDesc& d);
// base name + "_" + 8 hex digits of a hash of the key: for a kernel whose base
// name another key already took.
std::string kernel_unique_name(const KernelDesc& d);

}  // namespace lmc::codegen
