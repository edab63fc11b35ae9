// Picks the next token from a logits row: greedy (argmax, lowest id on ties) at
// temperature 0, else softmax at the temperature over the top-k / min-p / top-p survivors,
// drawn from a seeded std::mt19937_64 so a seed reproduces a run. A repetition
// penalty (> 1) first divides positive and multiplies negative logits of tokens
// seen in the recent history.
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
  float min_p = 0;               // keep tokens with p >= min_p * p(most likely) before temperature; 0: off
  float repetition_penalty = 1;  // 1: off
  int64_t repetition_window = 64;  // last tokens of the history the penalty looks at
  uint64_t seed = 0;
};

class Sampler {
 public:
  explicit Sampler(SamplerOptions opts = {});
  // `history`: prompt and generated tokens so far (for the repetition penalty).
  int32_t sample(const float* logits, int64_t vocab, std::span<const int32_t> history = {});
  const SamplerOptions& options() const { return opts_; }

 private:
  template <typename Less>
  std::pair<int64_t, double> nucleus(Less by_logit, double sum, int64_t k);

  SamplerOptions opts_;
  std::mt19937_64 rng_;
  std::vector<float> scratch_;  // logits after the repetition penalty
  std::vector<int32_t> ids_;    // candidate tokens
  std::vector<double> weights_; // unnormalised probabilities, by token id
};

}  // namespace lmc::runtime
