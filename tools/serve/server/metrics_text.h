// GET /metrics: the server's counters in Prometheus' text format (version 0.0.4), the
// requests by path and status beside the engine's tokens, generations and speed, those also
// under llama-server's llamacpp:* names.
#pragma once
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "tools/serve/engine/serve_engine.h"

namespace lmc::tools {

using RequestCounts = std::map<std::pair<std::string, int>, int64_t>;  // (path, status) -> answered

// The answers counted as the transport's threads give them.
class RequestCounter {
 public:
  void count(const std::string& path, int status) {
    std::lock_guard lock(mu_);
    ++counts_[{path, status}];
  }
  RequestCounts counts() const {
    std::lock_guard lock(mu_);
    return counts_;
  }

 private:
  mutable std::mutex mu_;
  RequestCounts counts_;
};

// `since`: the counters at the scrape before; llama-server's throughput gauges
// (prompt_tokens_seconds, predicted_tokens_seconds) are over the window between the two, as
// its buckets are (0 when nothing ran in it).
std::string metrics_text(const EngineCounters& c, const RequestCounts& requests, const EngineCounters& since);

}  // namespace lmc::tools
