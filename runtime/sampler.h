// Picks the next token from a logits row, by llama.cpp's sampler chain in its order:
// logit biases; the penalties on the tokens of the recent history (repeat: positive
// logits divided by it, negative ones multiplied; then frequency x count and presence
// subtracted); greedy (argmax, lowest id on ties) at temperature 0; else top-k, typical-p,
// top-p and min-p, each on the distribution the survivors make at temperature 1; and last
// the temperature, drawn from a seeded std::mt19937_64 so a seed reproduces a run.
#pragma once
#include <cstdint>
#include <random>
#include <span>
#include <utility>
#include <vector>

namespace lmc::runtime {

struct SamplerOptions {
  float temperature = 0;         // 0: greedy
  int64_t top_k = 0;             // 0: no limit
  float top_p = 1;               // 1: no limit
  float min_p = 0;               // keep tokens with p >= min_p * p(most likely); 0: off
  float typical_p = 1;           // locally typical sampling: the tokens nearest the entropy up to this mass; 1: off
  float repetition_penalty = 1;  // 1: off
  float frequency_penalty = 0;   // subtracted once per time a token occurs in the window
  float presence_penalty = 0;    // subtracted once from a token that occurs in the window
  int64_t repetition_window = 64;  // last tokens of the history the penalties look at; -1: all of it
  uint64_t seed = 0;
  // Ids at or past it are never picked (the tokenizer's size, when the logits row has
  // padding rows past it); 0: every id of the row.
  int64_t vocab_limit = 0;
  // Added to the tokens' logits before anything else (OpenAI's logit_bias; -100 bans).
  std::vector<std::pair<int32_t, float>> logit_bias;
};

class Sampler {
 public:
  explicit Sampler(SamplerOptions opts = {});
  // `history`: prompt and generated tokens so far (for the repetition penalty).
  int32_t sample(const float* logits, int64_t vocab, std::span<const int32_t> history = {});
  // Speculative sampling against a drafted token, whose proposal puts all its mass on
  // `draft`: keeps it with probability p(draft) and otherwise draws from p without it,
  // renormalised, so the result is distributed exactly as sample()'s (the standard
  // accept/reject rule). Greedy: the argmax, as sample().
  int32_t verify(const float* logits, int64_t vocab, std::span<const int32_t> history, int32_t draft);
  const SamplerOptions& options() const { return opts_; }
  // The logits the last sample() or verify() drew from: the row after the logit biases
  // and the penalties, over the ids that may be picked.
  std::span<const float> adjusted_logits() const { return {scratch_.data(), picked_from_}; }

 private:
  // The penalised logits into scratch_; unless greedy, the candidates ids_[0, keep) with
  // their unnormalised weights (weights_, by token id): returns keep and their mass.
  std::pair<int64_t, double> candidates(const float* logits, int64_t vocab, std::span<const int32_t> history);
  void penalize(int64_t vocab, std::span<const int32_t> history);
  float max_logit(int64_t keep) const;  // of ids_[0, keep)
  // Weights exp((l - l_max) / t) of ids_[0, keep) into weights_; their sum.
  double weigh(int64_t keep, double t);
  int64_t typical(int64_t keep);
  // The ids of a row of `vocab` logits that may be picked: [0, result).
  int64_t pickable(int64_t vocab) const;
  // A candidate drawn by weight, never `skip`; `mass` is the candidates' without it.
  int32_t draw(int64_t keep, double mass, int32_t skip);
  template <typename Less>
  int64_t nucleus(Less by_logit, double sum, int64_t k);

  SamplerOptions opts_;
  std::mt19937_64 rng_;
  std::vector<float> scratch_;  // logits after the repetition penalty
  size_t picked_from_ = 0;      // the pickable ids of the last row
  std::vector<int32_t> ids_;    // candidate tokens
  std::vector<double> weights_; // unnormalised probabilities, by token id
};

}  // namespace lmc::runtime
