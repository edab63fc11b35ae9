#include "structured/triggered_json_constraint.h"

#include <algorithm>
#include <limits>
#include <string_view>
#include <utility>

#include "structured/json_matcher.h"
#include "structured/token_distance.h"

namespace lmc::structured {

namespace {

constexpr float kBanned = -std::numeric_limits<float>::infinity();

// In tokens of the vocabulary (token_distance.h).
size_t shortest_value(const Grammar& g, const TokenVocabulary& vocab) {
  Matcher m(g);
  return TokenDistance(g, vocab).of(m.start());
}

}  // namespace

TriggeredJsonConstraint::TriggeredJsonConstraint(JsonTrigger trigger, std::shared_ptr<const Grammar> grammar,
                                                 std::shared_ptr<const TokenVocabulary> vocab, int64_t max_tokens)
    : trigger_(std::move(trigger)),
      grammar_(std::move(grammar)),
      vocab_(std::move(vocab)),
      budget_(max_tokens),
      shortest_json_(shortest_value(*grammar_, *vocab_)) {
  trigger_.json_bytes = std::min(trigger_.json_bytes, trigger_.text.size());
  if (trigger_.text.empty()) {
    start_json({});  // a forced answer: JSON from its first byte
    return;
  }
  starts_.push_back(trigger_.text);
  if (!trigger_.lead.empty()) starts_.push_back(trigger_.lead + trigger_.text);
}

// `written`: the value's bytes already in the answer (the trigger's own JSON bytes).
void TriggeredJsonConstraint::start_json(std::string_view written) {
  json_ = std::make_unique<JsonTokenConstraint>(grammar_, vocab_, budget_, written);
  between_ = false;
}

bool TriggeredJsonConstraint::mask(std::span<float> logits) {
  if (json_) return json_->mask(logits);
  if (between_) return mask_between(logits);
  return free_ || mask_trigger(logits);
}

// While the answer may still become the trigger (after the lead or not), a token that
// would write it and more is banned: the JSON after it has to start with a token of its own.
bool TriggeredJsonConstraint::mask_trigger(std::span<float> logits) const {
  std::vector<std::string_view> rests;  // of each start the answer may still become, what is left
  for (const std::string& start : starts_)
    if (start.starts_with(seen_)) rests.push_back(std::string_view(start).substr(seen_.size()));
  const size_t n = std::min(logits.size(), vocab_->size());
  for (size_t id = 0; id < n; ++id) {
    const std::string_view text = vocab_->text(static_cast<int32_t>(id));
    for (const std::string_view rest : rests)
      if (text.size() > rest.size() && text.starts_with(rest)) logits[id] = kBanned;
  }
  return true;
}

// After a whole value: the end of generation where the answer may end (right after the
// value, or after `close`), else the joining literal's next bytes, no token running past
// `close` (an end may follow it) or past the literal (a value follows it); the literal only
// when the tokens left can write the rest of it and then the shortest value.
bool TriggeredJsonConstraint::mask_between(std::span<float> logits) const {
  const std::string joint = trigger_.close + trigger_.again;
  const size_t close = trigger_.close.size(), at = joined_.size();
  const size_t n = std::min(logits.size(), vocab_->size());
  bool any = false;
  for (size_t id = 0; id < n; ++id) {
    const auto token = static_cast<int32_t>(id);
    const std::string_view text = vocab_->text(token);
    const size_t end = at + text.size();
    bool ok = false;
    if (vocab_->is_eog(token)) {
      ok = at == 0 || at == close;
    } else if (!text.empty() && end <= joint.size() && joint.compare(at, text.size(), text) == 0 &&
               !(at < close && end > close)) {
      const size_t needed = end <= close ? close - at : joint.size() - at + shortest_json_;
      ok = budget_ >= static_cast<int64_t>(needed);
    }
    if (ok)
      any = true;
    else
      logits[id] = kBanned;
  }
  std::fill(logits.begin() + static_cast<std::ptrdiff_t>(n), logits.end(), kBanned);
  return any;
}

bool TriggeredJsonConstraint::accept(int32_t token) {
  --budget_;
  if (json_) {
    if (!json_->accept(token)) return false;
    if (json_->complete() && !trigger_.again.empty()) {
      json_.reset();
      between_ = true;
      joined_.clear();
    }
    return true;
  }
  if (between_) return accept_between(token);
  if (free_) return true;
  if (token >= 0 && static_cast<size_t>(token) < vocab_->size()) seen_ += vocab_->text(token);
  if (std::ranges::find(starts_, seen_) != starts_.end())
    start_json(std::string_view(seen_).substr(seen_.size() - trigger_.json_bytes));
  else if (std::ranges::none_of(starts_, [&](const std::string& s) { return s.starts_with(seen_); }) ||
           vocab_->is_eog(token))
    free_ = true;
  return true;
}

// The end of generation ends the answer (the runtime stops at it); the joining literal,
// once whole, opens another value.
bool TriggeredJsonConstraint::accept_between(int32_t token) {
  if (token < 0 || static_cast<size_t>(token) >= vocab_->size()) return false;
  if (vocab_->is_eog(token)) return true;
  joined_ += vocab_->text(token);
  const std::string joint = trigger_.close + trigger_.again;
  if (!joint.starts_with(joined_)) return false;
  if (joined_ == joint) start_json({});
  return true;
}

bool TriggeredJsonConstraint::complete() const { return json_ && json_->complete(); }

}  // namespace lmc::structured
