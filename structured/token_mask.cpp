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
    : matcher_(matcher), vocab_(vocab), states_(vocab.longest() + 1) {}

void TokenMasker::allowed(const State& s, int64_t budget, std::vector<uint64_t>& bits) {
  bits.assign((vocab_.size() + 63) / 64, 0);
  // The token, then the bytes its state needs, then the end of generation.
  limit_ = budget == kNoBudget ? kNoBudget : budget - 2;
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

// A plain token of c code points takes the string from `at` to at + c characters, and
// takes min(c, what minLength still asks) off the bytes the value needs.
void TokenMasker::plain_text(const State& s, const Frame& text, std::vector<uint64_t>& bits) {
  const GrammarNode& n = matcher_.grammar().node(text.node);
  const uint32_t room = n.max - text.at;
  const int64_t need = matcher_.distance(s);
  const int64_t short_of_min = n.min > text.at ? n.min - text.at : 0;
  if (room >= vocab_.most_plain_chars() && need <= limit_) {
    for (size_t w = 0; w < bits.size(); ++w) bits[w] |= vocab_.plain()[w];
    return;
  }
  for (size_t id = 0; id < vocab_.size(); ++id) {
    const uint8_t c = vocab_.plain_chars(static_cast<int32_t>(id));
    if (c == TokenVocabulary::kNotPlain || c > room) continue;
    if (limit_ != kNoBudget && need - std::min<int64_t>(c, short_of_min) > limit_) continue;
    allow_token(bits, static_cast<int32_t>(id));
  }
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

bool TokenMasker::fits(const State& after) const {
  return limit_ == kNoBudget || matcher_.complete(after) || matcher_.distance(after) <= limit_;
}

}  // namespace lmc::structured
