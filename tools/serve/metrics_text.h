// GET /metrics: the server's counters in Prometheus' text format (version 0.0.4), the
// requests by path and status beside the engine's tokens, generations and speed.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "tools/lmc/serve_engine.h"

namespace lmc::tools {

using RequestCounts = std::map<std::pair<std::string, int>, int64_t>;  // (path, status) -> answered

std::string metrics_text(const EngineCounters& c, const RequestCounts& requests);

}  // namespace lmc::tools
