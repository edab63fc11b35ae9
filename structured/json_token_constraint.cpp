#include "structured/json_token_constraint.h"

#include <stdexcept>
#include <string>
#include <utility>

#include "structured/logit_mask.h"

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

bool JsonTokenConstraint::mask(std::span<float> logits) {
  masker_.allowed(state_, budget_, allowed_);
  return ban_unallowed(allowed_, vocab_->size(), logits);
}

bool JsonTokenConstraint::accept(int32_t token) {
  if (token < 0 || static_cast<size_t>(token) >= vocab_->size() || vocab_->text(token).empty()) return false;
  --budget_;
  return matcher_.feed(state_, vocab_->text(token));
}

bool JsonTokenConstraint::complete() const { return matcher_.complete(state_); }

}  // namespace lmc::structured
