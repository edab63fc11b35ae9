#include "structured/json_token_constraint.h"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>

namespace lmc::structured {

JsonTokenConstraint::JsonTokenConstraint(std::shared_ptr<const Grammar> grammar,
                                         std::shared_ptr<const TokenVocabulary> vocab, int64_t max_tokens,
                                         std::string_view written)
    : grammar_(std::move(grammar)),
      vocab_(std::move(vocab)),
      matcher_(*grammar_),
      masker_(matcher_, *vocab_),
      state_(matcher_.start()),
      budget_(max_tokens) {
  if (!matcher_.feed(state_, written))
    throw std::invalid_argument("the JSON cannot begin with '" + std::string(written) + "'");
}

// A word of the mask at a time: most words are all banned (between values) or all
// allowed (inside a string), and a whole row is a megabyte to write.
bool JsonTokenConstraint::mask(std::span<float> logits) {
  constexpr float kBanned = -std::numeric_limits<float>::infinity();
  masker_.allowed(state_, budget_, allowed_);
  const size_t n = std::min(logits.size(), vocab_->size());
  bool any = false;
  for (size_t w = 0; w * 64 < n; ++w) {
    const uint64_t bits = allowed_[w];
    float* row = logits.data() + w * 64;
    const size_t len = std::min<size_t>(64, n - w * 64);
    any = any || bits != 0;
    if (bits == 0) {
      std::fill_n(row, len, kBanned);
    } else if (bits != ~uint64_t{0}) {
      for (size_t i = 0; i < len; ++i)
        if (!(bits >> i & 1)) row[i] = kBanned;
    }
  }
  std::fill(logits.begin() + static_cast<std::ptrdiff_t>(n), logits.end(), kBanned);
  return any;
}

bool JsonTokenConstraint::accept(int32_t token) {
  if (token < 0 || static_cast<size_t>(token) >= vocab_->size() || vocab_->text(token).empty()) return false;
  --budget_;
  return matcher_.feed(state_, vocab_->text(token));
}

bool JsonTokenConstraint::complete() const { return matcher_.complete(state_); }

}  // namespace lmc::structured
