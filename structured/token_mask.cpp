#include "structured/token_mask.h"

#include <algorithm>

#include "structured/token_trie_walk.h"

namespace lmc::structured {

namespace {

bool any(const std::vector<uint64_t>& bits) {
  return std::any_of(bits.begin(), bits.end(), [](uint64_t w) { return w != 0; });
}

}  // namespace

TokenMasker::TokenMasker(Matcher& matcher, const TokenVocabulary& vocab)
    : matcher_(matcher),
      vocab_(vocab),
      distance_(matcher.grammar(), vocab),
      states_(vocab.longest() + 1),
      longest_(std::max<size_t>(vocab.longest(), 1)) {}

void TokenMasker::allowed(const State& s, int64_t budget, std::vector<uint64_t>& bits) {
  bits.assign((vocab_.size() + 63) / 64, 0);
  // The token, then the tokens its state needs.
  limit_ = budget == kNoBudget ? kNoBudget : budget - 1;
  if (matcher_.accepting(s))
    for (int32_t id : vocab_.eog()) allow_token(bits, id);
  collect(s, bits);
  if (!any(bits) && limit_ != kNoBudget) {
    limit_ = kNoBudget;
    collect(s, bits);
  }
}

void TokenMasker::collect(const State& s, std::vector<uint64_t>& bits) {
  states_[0] = s;
  if (const Frame* text = matcher_.string_text(s)) {
    plain_text(s, *text, bits);
    walk(vocab_.other(), bits);
  } else {
    walk(vocab_.all(), bits);
  }
}

// A plain token of c code points takes the string from `at` to at + c characters: its
// text is the same whatever they are, and so is what the value needs after it, but for
// the characters minLength still asks.
void TokenMasker::plain_text(const State& s, const Frame& text, std::vector<uint64_t>& bits) {
  const GrammarNode& n = matcher_.grammar().node(text.node);
  const uint32_t room = n.max - text.at;
  const int64_t short_of_min = n.min > text.at ? n.min - text.at : 0;
  plain_need_.assign(size_t{vocab_.most_plain_chars()} + 2, -1);
  const bool same_need = short_of_min == 0;  // every plain token leaves what s needs
  if (same_need && limit_ != kNoBudget && plain_need(s, 1, 0) > limit_) return;
  if (same_need && room >= vocab_.most_plain_chars()) {
    for (size_t w = 0; w < bits.size(); ++w) bits[w] |= vocab_.plain()[w];
    return;
  }
  for (size_t id = 0; id < vocab_.size(); ++id) {
    const uint8_t c = vocab_.plain_chars(static_cast<int32_t>(id));
    if (c == TokenVocabulary::kNotPlain || c > room) continue;
    if (!same_need && limit_ != kNoBudget && plain_need(s, c, short_of_min) > limit_) continue;
    allow_token(bits, static_cast<int32_t>(id));
  }
}

// The tokens the value needs after a plain token of `chars` characters: its bytes when
// they fit, else their count in tokens. Under minLength the string's frame after the
// token is s's, `chars` characters further on.
int64_t TokenMasker::plain_need(const State& s, uint8_t chars, int64_t short_of_min) {
  int64_t& need = plain_need_[chars];
  if (need >= 0) return need;
  const int64_t bytes = int64_t{matcher_.distance(s)} - std::min<int64_t>(chars, short_of_min);
  if (bytes + 1 <= limit_) return need = bytes + 1;  // every byte a token, and maybe the end of generation
  if (bytes / static_cast<int64_t>(longest_) > limit_) return need = bytes;  // too many even in the longest tokens
  std::span<const Frame> stack = s.stack(0);
  stack_.assign(stack.begin(), stack.end());
  stack_.back().at += short_of_min > 0 ? chars : 0;
  return need = distance_.of(stack_);
}

void TokenMasker::walk(const TokenTrie& t, std::vector<uint64_t>& bits) {
  auto advance = [this](const State& from, uint8_t b, State& to) { return matcher_.advance(from, b, to); };
  auto reached = [&](uint32_t node, const State& after) {
    std::span<const int32_t> ids = t.tokens(node);
    if (!ids.empty() && fits(after))
      for (int32_t id : ids) allow_token(bits, id);
  };
  walk_token_trie(t, states_, advance, reached);
}

bool TokenMasker::fits(const State& after) {
  if (limit_ == kNoBudget || matcher_.complete(after)) return true;
  const uint32_t bytes = matcher_.distance(after);
  if (bytes != kInfinite && int64_t{bytes} + 1 <= limit_) return true;  // a byte a token, and maybe the end
  if (static_cast<int64_t>(bytes / longest_) > limit_) return false;  // not even in the longest tokens
  return distance_.of(after) <= limit_;
}

}  // namespace lmc::structured
