// Drafting by a second, smaller model for speculative decoding (generator.h): a model with
// the target's vocabulary guesses the next tokens greedily, one cheap step each, and the
// target checks them all in one step. Its guess is a function of the text alone, so the
// target's accept/reject rule for a fixed guess (Sampler::verify) keeps the sampler's
// distribution, and greedy text stays exactly the target's.
//
// The draft model keeps its own KV cache in step with the text: each call feeds it the
// tokens it has not seen, from the first where the text left its last guess (the entries
// past that point are written again before any row reads them, as in the target).
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "runtime/executor.h"
#include "runtime/sampler.h"

namespace lmc::runtime {

class DraftModel {
 public:
  explicit DraftModel(Executor& ex);

  // Up to max_draft tokens to follow `history`, each the draft model's most likely next
  // token; fewer near the end of the draft model's context.
  std::vector<int32_t> draft(std::span<const int32_t> history, int64_t max_draft);

 private:
  // Feeds tokens at positions seen_.size() on (in chunks of a step's rows) and returns
  // the last one's logits row.
  const float* feed(std::span<const int32_t> tokens);

  Executor& ex_;
  Sampler greedy_;  // the default options: argmax
  std::vector<int32_t> seen_;  // the tokens in the draft model's KV cache, from position 0
};

}  // namespace lmc::runtime
