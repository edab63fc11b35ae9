// Generation: prefill the prompt in chunks of at most step_tokens rows, then decode
// one token per step through the sampler until an end-of-generation token, the
// token budget, the context's end, or the callback says stop.
//
// With draft_max > 0, decoding is speculative: each step feeds the next token and up
// to draft_max tokens guessed by prompt lookup (prompt_lookup.h) or by a smaller draft
// model (draft_model.h), and keeps the tokens
// the model itself picks from those rows for as long as they agree with the guess
// (Sampler::verify: the accept/reject rule when sampling, so the tokens keep the
// sampler's distribution), so one weight pass can yield several tokens. Rejected rows' KV
// entries lie past the kept position, where the next step writes before any row reads.
// A row's logits do not depend on the rows beside it (up to kDecodeMaxRows = 8 rows
// per step the linears take one path), so greedy text is exactly plain decoding's;
// sampled text has the same distribution but draws the random numbers differently.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "runtime/executor.h"
#include "runtime/prompt_embeddings.h"
#include "runtime/sampler.h"
#include "runtime/token_constraint.h"

namespace lmc::runtime {

struct GenerateOptions {
  int64_t max_tokens = 128;  // tokens to generate (including the one prefill yields); 0: the prompt only
  SamplerOptions sampling;
  std::function<bool(int32_t)> is_eog;  // end of generation (not passed to on_token); empty: none
  int64_t start_pos = 0;                // tokens already in the KV cache (a continued conversation)
  // The tokens at positions [0, start_pos) when the caller knows them (a prompt cache's): the
  // history the sampler's penalties and drafting see begins with them, as it would have had
  // they been read with the prompt. Empty: the history begins with the prompt.
  std::vector<int32_t> cached_tokens;
  // Every row's logits go to on_logits(position, row): each prompt row (prefill in
  // chunks of the executor's max_logit_rows) and each decode step's.
  bool all_logits = false;
  std::function<void(int64_t, const float*)> on_logits;
  // Speculative decoding: tokens drafted per step (0: off). Needs an executor returning
  // draft_max + 1 logits rows (ExecutorOptions::max_logit_rows).
  int64_t draft_max = 0;
  // Where drafts come from: up to n tokens to follow the history. Empty: prompt lookup
  // (prompt_lookup.h); a DraftModel (draft_model.h) for a second model's guesses.
  std::function<std::vector<int32_t>(std::span<const int32_t> history, int64_t n)> drafter;
  // What the text must be (a grammar, a JSON schema): makes the constraint of one
  // generation (token_constraint.h), which masks each row before it is sampled and ends the
  // generation once complete. Empty: any text. Not with draft_max (a drafted token would be
  // judged before the ones before it were accepted).
  std::function<std::unique_ptr<TokenConstraint>()> constraint;
  // Prompt rows read from embeddings (an image's soft tokens, runtime/prompt_embeddings.h),
  // each span width values a row and prefilled within one step; their tokens are placeholders.
  std::vector<PromptEmbeddings> embeddings;
  int64_t embedding_width = 0;
};

struct GenerationStats {
  int64_t prompt_tokens = 0;
  int64_t cached_tokens = 0;   // of the prompt, found in the KV cache and not computed again
  double prefill_seconds = 0;  // time to first token: prompt steps + first sample
  int64_t decode_tokens = 0;   // tokens sampled from decode steps' rows
  int64_t decode_steps = 0;    // decode steps run (fewer than decode_tokens when drafts are kept)
  int64_t drafted = 0, accepted = 0;  // speculative decoding: tokens guessed, and kept
  double decode_seconds = 0;
  int64_t end_pos = 0;         // tokens in the KV cache afterwards
  bool hit_eog = false;  // an end-of-generation token, or a constrained answer complete before max_tokens
  // A constraint left no token to sample (batch_generator.h): the answer ends where it got to.
  bool constraint_stuck = false;
  double prefill_tokens_per_second() const { return prefill_seconds > 0 ? prompt_tokens / prefill_seconds : 0; }
  double decode_tokens_per_second() const { return decode_seconds > 0 ? decode_tokens / decode_seconds : 0; }
};

// Throws lmc::Error when the prompt is empty or does not fit the context, when a
// constraint leaves no token to sample (and, from Executor::step, when a token is outside
// the embedding table).
// on_token receives each generated token; returning false stops generation.
GenerationStats generate(Executor& ex, std::vector<int32_t> prompt, const GenerateOptions& opts,
                         const std::function<bool(int32_t)>& on_token);

}  // namespace lmc::runtime
