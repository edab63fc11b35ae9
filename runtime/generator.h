// Generation: prefill the prompt in chunks of at most step_tokens rows, then decode
// one token per step through the sampler until an end-of-generation token, the
// token budget, the context's end, or the callback says stop.
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "runtime/executor.h"
#include "runtime/sampler.h"

namespace lmc::runtime {

struct GenerateOptions {
  int64_t max_tokens = 128;  // tokens to generate (including the one prefill yields)
  SamplerOptions sampling;
  std::function<bool(int32_t)> is_eog;  // end of generation (not passed to on_token); empty: none
  int64_t start_pos = 0;                // tokens already in the KV cache (a continued conversation)
  // Every row's logits go to on_logits(position, row): each prompt row (prefill in
  // chunks of the executor's max_logit_rows) and each decode step's.
  bool all_logits = false;
  std::function<void(int64_t, const float*)> on_logits;
};

struct GenerationStats {
  int64_t prompt_tokens = 0;
  double prefill_seconds = 0;  // time to first token: prompt steps + first sample
  int64_t decode_tokens = 0;   // decode steps run
  double decode_seconds = 0;
  int64_t end_pos = 0;         // tokens in the KV cache afterwards
  bool hit_eog = false;
  double prefill_tokens_per_second() const { return prefill_seconds > 0 ? prompt_tokens / prefill_seconds : 0; }
  double decode_tokens_per_second() const { return decode_seconds > 0 ? decode_tokens / decode_seconds : 0; }
};

// Throws lmc::Error when the prompt is empty or does not fit the context (and, from
// Executor::step, when a token is outside the embedding table).
// on_token receives each generated token; returning false stops generation.
GenerationStats generate(Executor& ex, std::vector<int32_t> prompt, const GenerateOptions& opts,
                         const std::function<bool(int32_t)>& on_token);

}  // namespace lmc::runtime
