#include "structured/token_distance.h"

#include <algorithm>

namespace lmc::structured {

TokenDistance::TokenDistance(const Grammar& g, const TokenVocabulary& vocab)
    : g_(g), texts_(g), tokens_(vocab.all()), longest_(vocab.longest()) {
  root_.fill(ByteTrie::kNone);
  const ByteTrie& t = tokens_.trie;
  for (uint32_t c = 1; c < t.end(0); c = t.end(c)) root_[t.byte(c)] = c;
  closed_.count = {0};
  open_.count = {1};
}

uint32_t TokenDistance::child(uint32_t node, uint8_t b) const {
  return node == 0 ? root_[b] : tokens_.trie.child(node, b);
}

TokenDistance::Level TokenDistance::level(const CompletionTexts::Piece& own, const Level& below) const {
  Level l;
  const std::string text = std::string(own.text) + below.head;
  const size_t n = own.text.size();
  std::vector<uint32_t> best(text.size() + 1, kInfinite);
  if (own.reaches_end) std::copy(below.count.begin(), below.count.end(), best.begin() + static_cast<ptrdiff_t>(n));
  for (size_t i = n; own.reaches_end && i-- > 0;) {
    uint32_t node = 0;
    for (size_t e = i; e < text.size() && e - i < longest_; ++e) {
      node = child(node, static_cast<uint8_t>(text[e]));
      if (node == ByteTrie::kNone) break;
      if (!tokens_.tokens(node).empty() && best[e + 1] != kInfinite) best[i] = std::min(best[i], best[e + 1] + 1);
    }
  }
  l.head = text.substr(0, std::min(longest_, text.size()));
  l.count.assign(best.begin(), best.begin() + static_cast<ptrdiff_t>(l.head.size() + 1));
  return l;
}

uint32_t TokenDistance::of(const State& s) {
  uint32_t best = kInfinite;
  for (size_t i = 0; i < s.stacks(); ++i) best = std::min(best, of(s.stack(i)));
  return best;
}

uint32_t TokenDistance::of(std::span<const Frame> stack) {
  if (stack.empty()) return 0;
  uint32_t bytes = 0;
  for (size_t k = 0; k < stack.size(); ++k)
    bytes = plus(bytes, frame_rest(g_, stack[k], kMaxFrames - 1 - static_cast<uint32_t>(k)));
  if (bytes > kMostCounted) return plus(bytes, 1);
  size_t same = 0;
  while (same < frames_.size() && same < stack.size() && frames_[same] == stack[same]) ++same;
  frames_.resize(same);
  levels_.resize(same);
  known_.resize(same + 1);  // what was known above a frame that changed is not
  for (size_t k = same; k < stack.size(); ++k) {
    auto [it, fresh] = known_[k].try_emplace(stack[k]);
    if (fresh) {
      const CompletionTexts::Piece own = texts_.of(stack[k], kMaxFrames - 1 - static_cast<uint32_t>(k));
      it->second = level(own, k > 0 ? *levels_[k - 1] : own.open ? open_ : closed_);
    }
    frames_.push_back(stack[k]);
    levels_.push_back(&it->second);
    known_.emplace_back();
  }
  return levels_.back()->count[0];
}

}  // namespace lmc::structured
