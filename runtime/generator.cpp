#include "runtime/generator.h"

#include <algorithm>
#include <chrono>

#include "ir/error.h"

namespace lmc::runtime {

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Runs the prompt through the graph in chunks of step_tokens rows (or of the
// executor's max_logit_rows when every row's logits are wanted); returns the logits
// row of the prompt's last token.
const float* prefill(Executor& ex, const std::vector<int32_t>& prompt, const GenerateOptions& opts) {
  const int64_t n = static_cast<int64_t>(prompt.size()), V = ex.vocab();
  const int64_t chunk = opts.all_logits ? ex.max_logit_rows() : ex.info().step_tokens;
  const float* last = nullptr;
  for (int64_t at = 0; at < n; at += chunk) {
    int64_t T = std::min(chunk, n - at), L = opts.all_logits ? T : 1;
    const float* logits = ex.step(prompt.data() + at, T, opts.start_pos + at, L);
    if (opts.all_logits && opts.on_logits)
      for (int64_t r = 0; r < L; ++r) opts.on_logits(opts.start_pos + at + r, logits + r * V);
    last = logits + (L - 1) * V;
  }
  return last;
}

}  // namespace

GenerationStats generate(Executor& ex, std::vector<int32_t> prompt, const GenerateOptions& opts,
                         const std::function<bool(int32_t)>& on_token) {
  const int64_t context = ex.info().context, V = ex.vocab();
  if (prompt.empty()) throw Error("runtime: error: the prompt has no tokens");
  if (opts.start_pos < 0 || opts.start_pos + static_cast<int64_t>(prompt.size()) > context)
    throw Error("runtime: error: the prompt of " + std::to_string(prompt.size()) + " tokens (after " +
                std::to_string(opts.start_pos) + " in the cache) does not fit the context of " +
                std::to_string(context) + " tokens");

  GenerationStats stats;
  stats.prompt_tokens = static_cast<int64_t>(prompt.size());
  Sampler sampler(opts.sampling);
  std::vector<int32_t> history = prompt;
  int64_t pos = opts.start_pos + stats.prompt_tokens;

  auto t0 = std::chrono::steady_clock::now();
  int32_t token = sampler.sample(prefill(ex, prompt, opts), V, history);
  stats.prefill_seconds = seconds_since(t0);

  auto t1 = std::chrono::steady_clock::now();
  for (int64_t produced = 1; produced <= opts.max_tokens; ++produced) {
    if (opts.is_eog && opts.is_eog(token)) {
      stats.hit_eog = true;
      break;
    }
    if (!on_token(token) || produced == opts.max_tokens || pos >= context) break;
    history.push_back(token);
    const float* logits = ex.step(&token, 1, pos, 1);
    if (opts.all_logits && opts.on_logits) opts.on_logits(pos, logits);
    ++pos;
    ++stats.decode_tokens;
    token = sampler.sample(logits, V, history);
  }
  stats.decode_seconds = seconds_since(t1);
  stats.end_pos = pos;
  return stats;
}

}  // namespace lmc::runtime
