// Picks the next token from a logits row, by llama.cpp's sampler chain: the logit biases,
// then the stages of `samplers` in their order (default llama.cpp's: penalties, DRY,
// top-n-sigma, top-k, typical-p, top-p, min-p, XTC, temperature), each on the candidates
// the stages before it left; and a draw from the survivors' softmax with a seeded
// std::mt19937_64, so a seed reproduces a run. The penalties on the recent history:
// repeat divides positive logits and multiplies negative ones, then frequency x count and
// presence are subtracted. Each cut reads the distribution at the temperatures applied
// before it (none: 1). Temperature 0 keeps the most likely candidate (lowest id on ties):
// greedy. Mirostat (1 or 2), as in llama.cpp, replaces the whole chain after the biases
// with the temperature and its own cut, whose target surprise it steers token by token.
#pragma once
#include <cstdint>
#include <random>
#include <span>
#include <utility>
#include <vector>

#include "runtime/dry_penalty.h"
#include "runtime/sampler_stage.h"

namespace lmc::runtime {

struct MirostatOptions {
  int version = 0;   // 0: off; 1: Mirostat; 2: Mirostat 2.0
  float tau = 5;     // the target surprise, in bits
  float eta = 0.1f;  // how fast the cut follows the observed surprise
};

struct SamplerOptions {
  float temperature = 0;         // 0: greedy
  // Dynamic temperature: from temperature - range to temperature + range as the candidates'
  // normalized entropy, to this exponent, goes from 0 to 1 (llama.cpp's dynatemp); 0: off.
  float dynatemp_range = 0;
  float dynatemp_exponent = 1;
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
  std::vector<SamplerStage> samplers = default_sampler_order();
  DryOptions dry;
  // XTC: with this probability, each token drops the candidates at least xtc_threshold
  // likely but the least likely of them; 0: off; a threshold above 0.5: off.
  float xtc_probability = 0;
  float xtc_threshold = 0.1f;
  // Top-p, min-p, typical-p and XTC leave at least this many candidates (llama.cpp's min_keep).
  int64_t min_keep = 0;
  // Keep the candidates whose logit is within top_n_sigma standard deviations (of the
  // candidates' logits) of the largest; <= 0: off.
  float top_n_sigma = -1;
  MirostatOptions mirostat;
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
  // Mirostat's current bound on the surprise (starts at 2 tau; each token moves it).
  double mirostat_mu() const { return mu_; }
  // The logits the last sample() or verify() drew from: the row after the logit biases
  // and the penalties, over the ids that may be picked.
  std::span<const float> adjusted_logits() const { return {scratch_.data(), picked_from_}; }
  // The candidates the last sample() or verify() drew from, after the chain's cuts, and
  // their unnormalised weights at its temperature: weight(id) / drawn_mass() is a
  // candidate's probability in that draw (llama-server's post-sampling probabilities).
  std::span<const int32_t> drawn_from() const { return {ids_.data(), static_cast<size_t>(kept_)}; }
  double weight(int32_t id) const { return weights_[static_cast<size_t>(id)]; }
  double drawn_mass() const { return mass_; }

 private:
  // The penalised logits into scratch_ and the candidates ids_[0, keep) with their
  // unnormalised weights at the chain's temperature (weights_, by token id): returns keep
  // and their mass.
  std::pair<int64_t, double> candidates(const float* logits, int64_t vocab, std::span<const int32_t> history);
  int64_t apply(SamplerStage stage, int64_t keep, std::span<const int32_t> history);
  void penalize(std::span<const int32_t> history);
  void penalize_repeats(std::span<const int32_t> history);
  bool by_logit(int32_t a, int32_t b) const {
    return scratch_[a] > scratch_[b] || (scratch_[a] == scratch_[b] && a < b);
  }
  int64_t top_k(int64_t keep, int64_t k);
  int64_t top_n_sigma(int64_t keep);
  int64_t min_p(int64_t keep);
  int64_t at_least_min_keep(int64_t cut, int64_t keep);
  int64_t xtc(int64_t keep);
  int64_t temperature(int64_t keep);
  double dynamic_temperature(int64_t keep);
  int64_t most_likely(int64_t keep);  // moves it to ids_[0]: 1
  std::pair<int64_t, double> mirostat(int64_t keep);
  // Mirostat's step after `token` was drawn from candidates of mass `mass`.
  void steer(int32_t token, double mass);
  float max_logit(int64_t keep) const;  // of ids_[0, keep)
  // Weights exp((l - l_max) / t) of ids_[0, keep) into weights_; their sum.
  double weigh(int64_t keep, double t);
  int64_t typical(int64_t keep);
  // The ids of a row of `vocab` logits that may be picked: [0, result).
  int64_t pickable(int64_t vocab) const;
  // A candidate drawn by weight, never `skip`; `mass` is the candidates' without it.
  int32_t draw(int64_t keep, double mass, int32_t skip);
  int64_t nucleus(double sum, int64_t k);

  SamplerOptions opts_;
  std::mt19937_64 rng_;
  std::vector<float> scratch_;  // logits after the repetition penalty
  size_t picked_from_ = 0;      // the pickable ids of the last row
  std::vector<int32_t> ids_;    // candidate tokens
  std::vector<double> weights_; // unnormalised probabilities, by token id
  double scale_ = 1;             // the product of the temperatures the chain applied so far
  int64_t kept_ = 0;             // the last draw's candidates, ids_[0, kept_)
  double mass_ = 0;              // and their weights' sum
  double mu_ = 0;                // Mirostat's bound on the surprise
};

}  // namespace lmc::runtime
