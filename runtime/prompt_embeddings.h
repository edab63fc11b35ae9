// Prompt rows read from given embeddings instead of tokens: an image's soft tokens (lmc run
// --image), which the vision tower encoded. The model reads them through its f32 inputs
// image_rows and image_mask (gemma3.yaml, llama.yaml). A joint span's rows attend to each
// other (each row's key end is the span's last position: Gemma 3's images), so it is
// prefilled within one step: prefill chunks end before a joint span that does not fit the
// rest of theirs. Other spans are causal (LLaVA's images) and may be cut.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "runtime/executor.h"

namespace lmc::runtime {

// Prompt rows [at, at + rows), their embeddings rows x width values from `values`.
struct PromptEmbeddings {
  int64_t at = 0;
  int64_t rows = 0;
  const float* values = nullptr;
  bool joint = true;
};

// A prompt's spans, the width of their rows, and what keeps their values alive (a batched
// sequence's images outlive the request that made them).
struct PromptImages {
  std::vector<PromptEmbeddings> spans;  // in prompt order
  int64_t width = 0;
  std::shared_ptr<const void> owner;
};

// The prompt rows before the first span, of n: what another prompt may share of this one's
// KV rows. An image's soft tokens are one placeholder id whatever the image, so rows past
// it are this prompt's own.
int64_t rows_before_images(const std::vector<PromptEmbeddings>& spans, int64_t n);

// The first span that no step of `step` rows holds, or null. A joint span (its rows attend
// to each other: Gemma 3's images) must fit one step; a causal one (LLaVA's) is cut across
// steps, so any length fits.
const PromptEmbeddings* span_past_step(const std::vector<PromptEmbeddings>& spans, int64_t step);

// Where a prefill chunk from `at` of at most `chunk` rows ends (at most n): before the first
// joint span it would cut. Throws lmc::Error when a joint span starting at `at` is longer
// than `chunk`.
int64_t chunk_end(const std::vector<PromptEmbeddings>& spans, int64_t at, int64_t chunk, int64_t n);

// Gives `ex` the spans' embeddings for prompt rows [at, at + T) (image_rows, image_mask) and
// returns the rows' key ends: a span's rows end at its last position pos + at + ..., the others
// at their own. Throws lmc::Error when the spans' width is not the model's image_rows'.
std::vector<int32_t> give_embeddings(Executor& ex, const std::vector<PromptEmbeddings>& spans, int64_t width,
                                     int64_t at, int64_t T, int64_t pos);

// Runs prompt rows [at, at + T) at positions pos + at, ... as one step of sequence 0: the
// spans' rows among them given to `ex` (image_rows, image_mask) and a joint span's rows' key
// ends at its last position. Returns the last L rows' logits (Executor::step). Throws lmc::Error
// when the spans' width is not the model's image_rows'.
const float* step_with_embeddings(Executor& ex, const std::vector<PromptEmbeddings>& spans, int64_t width,
                                  const int32_t* tokens, int64_t at, int64_t T, int64_t pos, int64_t L);

}  // namespace lmc::runtime
