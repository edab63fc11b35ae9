#include "structured/triggered_json_constraint.h"

#include <algorithm>
#include <limits>
#include <utility>

namespace lmc::structured {

TriggeredJsonConstraint::TriggeredJsonConstraint(std::string trigger, std::shared_ptr<const Grammar> grammar,
                                                 std::shared_ptr<const TokenVocabulary> vocab, int64_t max_tokens,
                                                 size_t json_bytes)
    : trigger_(std::move(trigger)),
      grammar_(std::move(grammar)),
      vocab_(std::move(vocab)),
      budget_(max_tokens),
      json_bytes_(std::min(json_bytes, trigger_.size())) {}

// While the answer may still become the trigger, a token that would write the trigger and
// more is banned: the JSON after it has to start with a token of its own.
bool TriggeredJsonConstraint::mask(std::span<float> logits) {
  if (json_) return json_->mask(logits);
  if (free_) return true;
  const size_t n = std::min(logits.size(), vocab_->size());
  for (size_t id = 0; id < n; ++id) {
    const std::string_view text = vocab_->text(static_cast<int32_t>(id));
    const size_t total = seen_.size() + text.size();
    if (total <= trigger_.size()) continue;
    const size_t rest = trigger_.size() - seen_.size();  // of the trigger still to write
    if (text.substr(0, rest) == std::string_view(trigger_).substr(seen_.size()))
      logits[id] = -std::numeric_limits<float>::infinity();
  }
  return true;
}

bool TriggeredJsonConstraint::accept(int32_t token) {
  if (json_) return json_->accept(token);
  --budget_;
  if (free_) return true;
  if (token >= 0 && static_cast<size_t>(token) < vocab_->size()) seen_ += vocab_->text(token);
  if (seen_ == trigger_)
    json_ = std::make_unique<JsonTokenConstraint>(grammar_, vocab_, budget_,
                                                  std::string_view(trigger_).substr(trigger_.size() - json_bytes_));
  else if (!trigger_.starts_with(seen_) || vocab_->is_eog(token))
    free_ = true;
  return true;
}

bool TriggeredJsonConstraint::complete() const { return json_ && json_->complete(); }

}  // namespace lmc::structured
