#include "structured/token_mask.h"

#include <algorithm>

namespace lmc::structured {

namespace {

void set(std::vector<uint64_t>& bits, int32_t id) { bits[static_cast<size_t>(id) / 64] |= uint64_t{1} << (id % 64); }

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
    for (int32_t id : vocab_.eog()) set(bits, id);
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
    walk(vocab_.other(), 0, 0, bits);
  } else {
    walk(vocab_.all(), 0, 0, bits);
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
    set(bits, static_cast<int32_t>(id));
  }
}

void TokenMasker::walk(const TokenTrie& t, uint32_t node, size_t depth, std::vector<uint64_t>& bits) {
  const ByteTrie& trie = t.trie;
  for (uint32_t c = node + 1; c < trie.end(node); c = trie.end(c)) {
    State& next = states_[depth + 1];
    if (!matcher_.advance(states_[depth], trie.byte(c), next)) continue;
    std::span<const int32_t> ids = t.tokens(c);
    if (!ids.empty() && fits(next))
      for (int32_t id : ids) set(bits, id);
    walk(t, c, depth + 1, bits);
  }
}

bool TokenMasker::fits(const State& after) const {
  return limit_ == kNoBudget || matcher_.complete(after) || matcher_.distance(after) <= limit_;
}

}  // namespace lmc::structured
