#include "runtime/prompt_lookup.h"

#include <algorithm>

namespace lmc::runtime {

std::vector<int32_t> prompt_lookup_draft(std::span<const int32_t> history, int64_t max_draft, int64_t max_ngram) {
  const auto len = static_cast<int64_t>(history.size());
  if (max_draft <= 0) return {};
  for (int64_t n = std::min(max_ngram, len - 1); n >= 1; --n) {
    auto suffix = history.subspan(static_cast<size_t>(len - n));
    // The most recent occurrence that is followed by at least one token. A match of one
    // token is weak evidence: it guesses one token (SmolLM2's repetitive set keeps 52%
    // of such guesses instead of 38%, 1.40x → 1.46x; Gemma 3 270M's stays 2.60x).
    for (int64_t at = len - n - 1; at >= 0; --at) {
      if (!std::equal(suffix.begin(), suffix.end(), history.begin() + at)) continue;
      int64_t from = at + n, to = std::min(len, from + (n == 1 ? 1 : max_draft));
      return {history.begin() + from, history.begin() + to};
    }
  }
  return {};
}

}  // namespace lmc::runtime
