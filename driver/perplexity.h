// What `lmc perplexity` measures: a model's perplexity on a text, as llama-perplexity
// computes it, so the two tools' figures compare. The text's tokens are cut into chunks
// of `context` tokens (the last partial chunk dropped); each chunk runs from an empty KV
// cache, its first token replaced by BOS when the model wants one, and only its second
// half is scored (row j predicts token j+1 for j in [context/2, context-1)), so every
// scored token sees at least half a chunk of history.
//
// With a base model (the same weights under another pipeline, e.g. `none`'s F32 against
// the default's kept low-bit types, or another file), both run the chunks side by side,
// a step at a time, and every scored row is also compared (driver/token_comparison.h):
// the cost of a compile decision in quality, as llama-perplexity --kl-divergence
// reports it.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "driver/token_comparison.h"
#include "runtime/executor.h"

namespace lmc::driver {

struct PerplexityOptions {
  int64_t context = 512;  // tokens a chunk holds
  int64_t max_chunks = 0; // 0: every whole chunk of the text
  int32_t bos = -1;       // a chunk's first token, when the model wants one; -1: the text's own
};

struct PerplexityReport {
  int64_t context = 0, chunks = 0;
  Perplexity model;
  std::optional<TokenComparison> against_base;  // with a base model
};

// The chunks scored of a text of `tokens` tokens; throws lmc::Error when it holds fewer
// than two.
int64_t perplexity_chunks(int64_t tokens, const PerplexityOptions& o);

// Called after each chunk with the figures so far.
using ChunkDone = std::function<void(int64_t chunk, const PerplexityReport&)>;

// Throws lmc::Error (a message without a place) as perplexity_chunks does, when a chunk does not fit a
// model's context, or when the base's vocabulary differs. The executors need
// max_logit_rows() >= 1 (more rows a step make it faster: up to step_tokens).
PerplexityReport measure_perplexity(runtime::Executor& model, runtime::Executor* base, std::span<const int32_t> tokens,
                                    const PerplexityOptions& o, const ChunkDone& done = {});

}  // namespace lmc::driver
