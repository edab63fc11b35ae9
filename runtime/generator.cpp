#include "runtime/generator.h"

#include <algorithm>
#include <chrono>

#include "runtime/prompt_lookup.h"
#include "support/error.h"

namespace lmc::runtime {

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Runs the prompt through the graph in chunks of step_tokens rows (or of the
// executor's max_logit_rows when every row's logits are wanted), none cutting an image's
// rows; returns the logits
// row of the prompt's last token.
const float* prefill(Executor& ex, const std::vector<int32_t>& prompt, const GenerateOptions& opts) {
  const int64_t n = static_cast<int64_t>(prompt.size()), V = ex.vocab();
  const int64_t chunk = opts.all_logits ? ex.max_logit_rows() : ex.info().step_tokens;
  const float* last = nullptr;
  for (int64_t at = 0, end = 0; at < n; at = end) {
    end = chunk_end(opts.embeddings, at, chunk, n);
    int64_t T = end - at, L = opts.all_logits ? T : 1;
    const float* logits = opts.embeddings.empty() ? ex.step(prompt.data() + at, T, opts.start_pos + at, L)
                                                  : step_with_embeddings(ex, opts.embeddings, opts.embedding_width,
                                                                         prompt.data(), at, T, opts.start_pos, L);
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

  if (opts.constraint && opts.draft_max > 0)
    throw Error("runtime: error: speculative decoding does not take a constraint on the text");
  if (!opts.cached_tokens.empty() && static_cast<int64_t>(opts.cached_tokens.size()) != opts.start_pos)
    throw Error("runtime: error: " + std::to_string(opts.cached_tokens.size()) + " cached tokens for start_pos " +
                std::to_string(opts.start_pos));
  if (opts.draft_max + 1 > ex.max_logit_rows())
    throw Error("runtime: error: speculative decoding needs an executor returning " +
                std::to_string(opts.draft_max + 1) + " logits rows");

  GenerationStats stats;
  stats.prompt_tokens = static_cast<int64_t>(prompt.size());
  Sampler sampler(opts.sampling);
  std::vector<int32_t> history = opts.cached_tokens;
  history.insert(history.end(), prompt.begin(), prompt.end());
  int64_t pos = opts.start_pos + stats.prompt_tokens;

  std::unique_ptr<TokenConstraint> constraint = opts.constraint ? opts.constraint() : nullptr;
  std::vector<float> masked;
  auto sample = [&](const float* row) {
    if (!constraint) return sampler.sample(row, V, history);
    masked.assign(row, row + V);
    if (!constraint->mask(masked)) throw Error("runtime: error: no token can continue the constrained text");
    return sampler.sample(masked.data(), V, history);
  };

  // A sampled token that will be fed at `at`: the end of generation, the caller's stop,
  // the token budget, the context's end or a complete constrained text finish generation;
  // else it joins the history.
  int64_t produced = 0;
  auto emit = [&](int32_t t, int64_t at) {
    ++produced;
    if (opts.is_eog && opts.is_eog(t)) {
      stats.hit_eog = true;
      return false;
    }
    if (constraint && !constraint->accept(t))
      throw Error("runtime: error: token " + std::to_string(t) + " breaks the constrained text");
    const bool more = on_token(t);
    if (constraint && constraint->complete()) {
      // Nothing may follow: as the end of generation, unless the budget's last token closed it.
      stats.hit_eog = produced != opts.max_tokens;
      return false;
    }
    if (!more || produced == opts.max_tokens || at >= context) return false;
    history.push_back(t);
    return true;
  };

  auto t0 = std::chrono::steady_clock::now();
  const float* last = prefill(ex, prompt, opts);
  // No token wanted (llama.cpp's -n 0): the prompt is in the cache, its logits were seen.
  if (opts.max_tokens == 0) {
    stats.prefill_seconds = seconds_since(t0);
    stats.end_pos = pos;
    return stats;
  }
  int32_t token = sample(last);
  stats.prefill_seconds = seconds_since(t0);

  auto t1 = std::chrono::steady_clock::now();
  bool going = emit(token, pos);
  while (going) {
    // `token` is in the history and is fed at `pos`, followed by the draft.
    std::vector<int32_t> rows{token};
    if (opts.draft_max > 0) {
      int64_t n = std::min({opts.draft_max, context - pos - 1, opts.max_tokens - produced});
      auto draft = opts.drafter ? opts.drafter(history, n) : prompt_lookup_draft(history, n);
      rows.insert(rows.end(), draft.begin(), draft.end());
      stats.drafted += static_cast<int64_t>(draft.size());
    }
    const auto T = static_cast<int64_t>(rows.size());
    const float* logits = ex.step(rows.data(), T, pos, T);
    ++stats.decode_steps;
    for (int64_t i = 0; i < T; ++i) {
      const float* row = logits + i * V;
      if (opts.all_logits && opts.on_logits) opts.on_logits(pos + i, row);
      token = i + 1 < T ? sampler.verify(row, V, history, rows[static_cast<size_t>(i + 1)]) : sample(row);
      ++stats.decode_tokens;
      going = emit(token, pos + i + 1);
      if (going && i + 1 < T && token == rows[static_cast<size_t>(i + 1)]) {
        ++stats.accepted;  // row i + 1 was fed this very token: its logits are valid
        continue;
      }
      pos += i + 1;  // rows 0..i are in the cache
      break;
    }
  }
  stats.decode_seconds = seconds_since(t1);
  stats.end_pos = pos;
  return stats;
}

}  // namespace lmc::runtime
