// The line `lmc run` and `lmc chat` print on stderr once a model is ready.
#pragma once
#include "driver/open_model.h"
#include "runtime/executor.h"

namespace lmc::tools {

void print_load_summary(const driver::LoadedModel& m, const runtime::Executor& ex);

}  // namespace lmc::tools
