#include "tools/serve/metrics_text.h"

#include <sstream>

namespace lmc::tools {

std::string metrics_text(const EngineCounters& c, const RequestCounts& requests) {
  std::ostringstream out;
  auto metric = [&](const char* name, const char* type, const char* help, auto value) {
    out << "# HELP " << name << " " << help << "\n# TYPE " << name << " " << type << "\n"
        << name << " " << value << "\n";
  };
  out << "# HELP lmc_requests_total HTTP requests answered, by path and status.\n# TYPE lmc_requests_total counter\n";
  for (const auto& [key, n] : requests)
    out << "lmc_requests_total{path=\"" << key.first << "\",status=\"" << key.second << "\"} " << n << "\n";
  metric("lmc_prompt_tokens_total", "counter", "Prompt tokens read.", c.prompt_tokens);
  metric("lmc_prompt_tokens_cached_total", "counter",
         "Prompt tokens a slot's KV cache already held (prefix reuse): not computed again.", c.cached_tokens);
  metric("lmc_generated_tokens_total", "counter", "Tokens generated.", c.generated_tokens);
  metric("lmc_generations_total", "counter", "Generations finished.", c.jobs_done);
  metric("lmc_queue_depth", "gauge", "Generations waiting for a free slot.", c.queued);
  metric("lmc_queue_limit", "gauge", "Generations that may wait (--queue); one past it is answered 503.",
         c.queue_limit);
  metric("lmc_queue_oldest_wait_seconds", "gauge", "How long the generation waiting longest has waited.",
         c.oldest_wait_seconds);
  metric("lmc_queue_timeouts_total", "counter", "Generations answered 503 having waited --queue-timeout.",
         c.queue_timeouts);
  metric("lmc_generations_cancelled_total", "counter",
         "Generations ended because their client left, waiting or running.", c.cancelled);
  metric("lmc_generations_running", "gauge", "Generations running.", c.running);
  metric("lmc_decode_tokens_per_second", "gauge", "Decode speed of the last finished generation.",
         c.last_decode_tokens_per_second);
  metric("lmc_busy_seconds_total", "counter",
         "Time the model spent in steps (generated tokens over it: the throughput of all streams together).",
         c.busy_seconds);
  return out.str();
}

}  // namespace lmc::tools
