// Factories of the passes that ship with lmc, one per file in passes/transforms/, as
// builtin_passes.def lists them.
#pragma once
#include <memory>

#include "passes/api/pass.h"

namespace lmc::passes {

#define LMC_PASS(name, stem) std::unique_ptr<Pass> create_##stem##_pass();
#include "passes/transforms/builtin_passes.def"
#undef LMC_PASS

}  // namespace lmc::passes
