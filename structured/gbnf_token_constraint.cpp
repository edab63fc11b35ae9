#include "structured/gbnf_token_constraint.h"

#include <utility>

#include "structured/logit_mask.h"
#include "structured/token_trie_walk.h"

namespace lmc::structured {

namespace {

// Past this many kept masks, they are dropped and kept again from the next state on.
constexpr size_t kMaxMasks = 64;

// A state's stacks and the character it has begun, as bytes: equal keys, equal masks.
std::string state_key(const GbnfState& s) {
  std::string key;
  auto put = [&key](uint32_t v) { key.append(reinterpret_cast<const char*>(&v), sizeof v); };
  put(s.partial);
  put(s.needed);
  put(s.length);
  for (size_t i = 0; i < s.stacks(); ++i) {
    put(static_cast<uint32_t>(s.stack(i).size()));
    for (uint32_t place : s.stack(i)) put(place);
  }
  return key;
}

}  // namespace

GbnfTokenConstraint::GbnfTokenConstraint(std::shared_ptr<const GbnfGrammar> grammar,
                                         std::shared_ptr<const TokenVocabulary> vocab)
    : grammar_(std::move(grammar)),
      vocab_(std::move(vocab)),
      matcher_(*grammar_),
      state_(matcher_.start()),
      states_(vocab_->longest() + 1) {}

const std::vector<uint64_t>& GbnfTokenConstraint::allowed() {
  std::string key = state_key(state_);
  if (auto kept = masks_.find(key); kept != masks_.end()) return allowed_ = kept->second;
  allowed_.assign((vocab_->size() + 63) / 64, 0);
  if (matcher_.accepting(state_))
    for (int32_t id : vocab_->eog()) allow_token(allowed_, id);
  states_[0] = state_;
  const TokenTrie& all = vocab_->all();
  auto advance = [this](const GbnfState& from, uint8_t b, GbnfState& to) { return matcher_.advance(from, b, to); };
  auto reached = [this, &all](uint32_t node, const GbnfState&) {
    for (int32_t id : all.tokens(node)) allow_token(allowed_, id);
  };
  walk_token_trie(all, states_, advance, reached);
  if (masks_.size() == kMaxMasks) masks_.clear();
  masks_.emplace(std::move(key), allowed_);
  return allowed_;
}

bool GbnfTokenConstraint::mask(std::span<float> logits) { return ban_unallowed(allowed(), vocab_->size(), logits); }

bool GbnfTokenConstraint::accept(int32_t token) {
  if (token < 0 || static_cast<size_t>(token) >= vocab_->size() || vocab_->text(token).empty()) return false;
  return matcher_.feed(state_, vocab_->text(token));
}

bool GbnfTokenConstraint::complete() const { return matcher_.complete(state_); }

}  // namespace lmc::structured
