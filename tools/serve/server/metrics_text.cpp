#include "tools/serve/server/metrics_text.h"

#include <algorithm>
#include <sstream>

namespace lmc::tools {

namespace {

// llama-server's names for the same counters, which its dashboards read.
template <typename Metric>
void llama_server_metrics(Metric& metric, const EngineCounters& c, const EngineCounters& since) {
  auto rate = [](double n, double seconds) { return seconds > 0 ? n / seconds : 0.0; };
  const int64_t computed = c.prompt_tokens - c.cached_tokens;
  const int64_t computed_since = computed - (since.prompt_tokens - since.cached_tokens);
  metric("llamacpp:prompt_tokens_total", "counter", "Number of prompt tokens processed, excluding cached tokens",
         computed);
  metric("llamacpp:prompt_tokens_cached_total", "counter", "Number of prompt tokens reused from the cache",
         c.cached_tokens);
  metric("llamacpp:prompt_seconds_total", "counter", "Total time spent processing prompts", c.prompt_seconds);
  metric("llamacpp:tokens_predicted_total", "counter", "Number of generation tokens processed", c.generated_tokens);
  metric("llamacpp:tokens_predicted_seconds_total", "counter", "Total time spent generating tokens", c.decode_seconds);
  metric("llamacpp:n_decode_total", "counter", "Total number of llama_decode() calls (lmc: executor steps)", c.steps);
  metric("llamacpp:n_tokens_max", "counter", "Largest observed sequence length (prompt + generation)",
         c.longest_sequence);
  // lmc serve does not decode speculatively: llama-server's counters of it stay 0.
  metric("llamacpp:spec_decode_num_draft_tokens_total", "counter", "Speculative: Total draft tokens generated", 0);
  metric("llamacpp:spec_decode_num_accepted_tokens_total", "counter",
         "Speculative: Total draft tokens accepted by the target model", 0);
  metric("llamacpp:spec_decode_num_drafts_total", "counter",
         "Speculative: Total speculative decoding verification steps", 0);
  metric("llamacpp:prompt_tokens_seconds", "gauge", "Average prompt throughput in tokens/s",
         rate(static_cast<double>(computed_since), c.prompt_seconds - since.prompt_seconds));
  metric(
      "llamacpp:predicted_tokens_seconds", "gauge", "Average generation throughput in tokens/s",
      rate(static_cast<double>(c.generated_tokens - since.generated_tokens), c.decode_seconds - since.decode_seconds));
  metric("llamacpp:requests_processing", "gauge", "Number of requests processing", c.running);
  metric("llamacpp:requests_deferred", "gauge", "Number of requests deferred", c.queued);
  metric("llamacpp:n_busy_slots_per_decode", "gauge", "Average number of busy slots per llama_decode() call",
         static_cast<double>(c.busy_slot_steps) / static_cast<double>(std::max<int64_t>(c.steps, 1)));
}

}  // namespace

std::string metrics_text(const EngineCounters& c, const RequestCounts& requests, const EngineCounters& since) {
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
         "Prompt tokens a slot's KV cache or the shared prefix pages already held: not computed again.",
         c.cached_tokens);
  metric("lmc_prompt_prefix_hit_ratio", "gauge",
         "Of the prompt tokens read, the share found in a KV cache (a slot's own or shared pages).",
         static_cast<double>(c.cached_tokens) / static_cast<double>(std::max<int64_t>(c.prompt_tokens, 1)));
  metric("lmc_kv_pages", "gauge", "KV pages of the pool the slots share (-kvu; 0 with per-slot caches).", c.kv_pages);
  metric("lmc_kv_pages_used", "gauge", "KV pages held by a slot or the prefix tree.", c.kv_pages_used);
  metric("lmc_kv_pages_prefix_tree", "gauge",
         "KV pages of prompt prefixes kept for sharing (of recent or running sequences).", c.kv_pages_prefix_tree);
  metric("lmc_kv_window_pages_used", "gauge",
         "KV pages of sliding-window layers held by a slot or the prefix tree (a pool of their own).",
         c.kv_window_pages_used);
  metric("lmc_kv_bytes_used", "gauge", "Bytes of the KV pages in use, of both pools.", c.kv_bytes_used);
  metric("lmc_kv_bytes_running", "gauge",
         "Of lmc_kv_bytes_used, the pages running requests hold; the rest is cache (the prefix tree's, idle "
         "slots'), given back when a request needs pages.",
         c.kv_bytes_running);
  metric("lmc_kv_position_bytes", "gauge", "KV bytes of a position in the layers that attend to the whole context.",
         c.kv_position_bytes);
  metric("lmc_kv_window_position_bytes", "gauge", "KV bytes of a position in the sliding-window layers.",
         c.kv_window_position_bytes);
  metric("lmc_kv_window", "gauge", "Positions of the longest sliding window (0: none).", c.kv_window);
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
  llama_server_metrics(metric, c, since);
  return out.str();
}

}  // namespace lmc::tools
