// What the tune-prefill pass chose per prefill shape and the times it went by, as lmc
// inspect (an artifact) and lmc bench's table print them: the pass's remarks from the
// compile, which the artifact keeps (driver/remarks_section.h) beside the final IR's
// `prefill` attributes.
#pragma once
#include <cstdio>
#include <vector>

#include "passes/api/pass_context.h"

namespace lmc::tools {

void print_prefill_choices(const std::vector<passes::Remark>& remarks, std::FILE* out);

}  // namespace lmc::tools
