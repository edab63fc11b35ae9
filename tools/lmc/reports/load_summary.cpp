#include "tools/lmc/reports/load_summary.h"

#include <cstdio>

namespace lmc::tools {

void print_load_summary(const driver::LoadedModel& m, const runtime::Executor& ex) {
  auto mem = ex.memory();
  std::fprintf(stderr,
               "lmc: %s: weights %.1f MB, arena %.1f MB, KV cache %.1f MB (context %lld), %d threads, "
               "ready in %.2f s\n",
               m.info.name.c_str(), mem.weight_bytes / 1e6, mem.arena_bytes / 1e6, mem.kv_bytes / 1e6,
               static_cast<long long>(m.info.context), ex.threads(), m.load_seconds);
}

}  // namespace lmc::tools
