// Log-probabilities of a sampled token and its most likely alternatives, as OpenAI's
// `logprobs` and llama-server's `n_probs` report them: the log-softmax, over the whole
// vocabulary, of the logits the sampler drew from (after logit biases and penalties)
// divided by the temperature (1 when greedy). The top-k, top-p, min-p and typical cuts are
// not applied, so the values are the model's distribution at that temperature.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

namespace lmc::runtime {

struct TokenLogprob {
  int32_t token;
  float logprob;  // never below kLowestLogprob (a banned token's -inf)
};

struct StepLogprobs {
  TokenLogprob chosen;
  std::vector<TokenLogprob> top;  // most likely first (lowest id on ties)
};

// What OpenAI answers for a token with no chance.
constexpr float kLowestLogprob = -9999.0f;

StepLogprobs token_logprobs(std::span<const float> logits, float temperature, int32_t chosen, int64_t top_n);

class Sampler;
// llama-server's post_sampling_probs: the distribution `sampler` last drew `chosen` from,
// after its cuts (top-k, top-p, min-p, ...) at its temperature, as log-probabilities: the
// chosen token's and the top_n most likely candidates' (lowest id on ties). A token the cuts
// removed, or of no chance (a masked one's), is not among them.
StepLogprobs drawn_logprobs(const Sampler& sampler, int32_t chosen, int64_t top_n);

}  // namespace lmc::runtime
