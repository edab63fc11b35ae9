// Factories of the passes that ship with lmc as C++, one per file in passes/transforms/, as
// builtin_passes.def lists them (its LMC_TEXT_PASS lines are pass files: passes/text/).
#pragma once
#include <memory>

#include "passes/api/pass.h"

namespace lmc::passes {

#define LMC_PASS(name, stem) std::unique_ptr<Pass> create_##stem##_pass();
#define LMC_TEXT_PASS(name, stem)
#define LMC_OPT_IN_PASS(name, stem) LMC_PASS(name, stem)
#include "passes/transforms/builtin_passes.def"
#undef LMC_OPT_IN_PASS
#undef LMC_TEXT_PASS
#undef LMC_PASS

}  // namespace lmc::passes
