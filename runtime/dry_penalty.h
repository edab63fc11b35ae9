// DRY ("don't repeat yourself"), llama.cpp's penalty on the token that would extend a run
// of tokens the history already holds: for each token, the longest suffix of the window
// that also ends just before an earlier occurrence of it; past `allowed_length` tokens
// its logit loses multiplier x base^(length - allowed_length). A sequence breaker (a
// newline, a quote) seen in the window caps the lengths at the tokens after it, and a
// token that is a breaker by itself is never penalised.
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace lmc::runtime {

// The breakers as tokens: each token whose text holds a breaker maps to no tail; a token
// whose text ends with a breaker's beginning maps to the tokens of the breaker's rest.
// Built from a tokenizer outside runtime/ (tools/lmc/generation/dry_breakers.h).
using DryBreakers = std::unordered_multimap<int32_t, std::vector<int32_t>>;

struct DryOptions {
  float multiplier = 0;  // 0: off
  float base = 1.75f;    // below 1: off
  int64_t allowed_length = 2;
  int64_t penalty_last_n = -1;  // the window: the last N tokens of the history; -1: all of it, 0: off
  std::vector<std::string> sequence_breakers = {"\n", ":", "\"", "*"};
  std::shared_ptr<const DryBreakers> breakers;  // sequence_breakers as tokens; null: none

  bool enabled() const { return multiplier != 0 && base >= 1 && penalty_last_n != 0; }
};

// The penalty each token's logit loses, given the history (prompt and generated tokens).
std::vector<std::pair<int32_t, float>> dry_penalties(std::span<const int32_t> history, const DryOptions& opts);

}  // namespace lmc::runtime
