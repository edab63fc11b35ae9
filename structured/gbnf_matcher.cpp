#include "structured/gbnf_matcher.h"

#include <algorithm>
#include <utility>

namespace lmc::structured {

using Kind = GbnfElement::Kind;

bool GbnfState::add(std::span<const uint32_t> stack, size_t limit) {
  for (size_t i = 0; i < stacks(); ++i) {
    std::span<const uint32_t> s = this->stack(i);
    if (std::equal(s.begin(), s.end(), stack.begin(), stack.end())) return true;
  }
  if (stacks() >= limit) return false;
  places_.insert(places_.end(), stack.begin(), stack.end());
  ends_.push_back(static_cast<uint32_t>(places_.size()));
  return true;
}

// stack_ with a rule at its top becomes one stack per way into the rule's alternatives
// down to a character class (or to nothing left: the root matched).
void GbnfMatcher::expand(GbnfState& out) {
  if (budget_ == 0 || stack_.size() > kMaxDepth) return;
  --budget_;
  if (stack_.empty() || g_.at(stack_.back()).kind == Kind::Chars) {
    out.add(stack_, kMaxStacks);
    return;
  }
  const uint32_t place = stack_.back();
  stack_.pop_back();
  const bool goes_on = g_.at(place + 1).kind != Kind::End;
  if (goes_on) stack_.push_back(place + 1);
  for (uint32_t alt : g_.rules[g_.at(place).first]) {
    if (g_.at(alt).kind == Kind::End) {
      expand(out);
      continue;
    }
    stack_.push_back(alt);
    expand(out);
    stack_.pop_back();
  }
  if (goes_on) stack_.pop_back();
  stack_.push_back(place);
}

GbnfState GbnfMatcher::start() {
  GbnfState s;
  budget_ = kMaxExpansions;
  for (uint32_t alt : g_.rules[g_.root]) {
    stack_.clear();
    if (g_.at(alt).kind != Kind::End) stack_.push_back(alt);
    expand(s);
  }
  return s;
}

// Each stack whose class takes code point c, past it.
void GbnfMatcher::take(uint32_t c, const GbnfState& from, GbnfState& to) {
  for (size_t i = 0; i < from.stacks(); ++i) {
    std::span<const uint32_t> s = from.stack(i);
    if (s.empty() || !g_.takes(g_.at(s.back()), c)) continue;
    stack_.assign(s.begin(), s.end() - 1);
    if (g_.at(s.back() + 1).kind != Kind::End) stack_.push_back(s.back() + 1);
    expand(to);
  }
}

namespace {

// The code points UTF-8 writes in `length` bytes: the shorter (overlong) forms are not UTF-8.
constexpr uint32_t kLeast[5] = {0, 0, 0x80, 0x800, 0x10000};
constexpr uint32_t kMost = 0x10FFFF;

bool is_surrogate(uint32_t c) { return c >= 0xD800 && c <= 0xDFFF; }

}  // namespace

bool GbnfMatcher::advance(const GbnfState& from, uint8_t b, GbnfState& to) {
  to.clear();
  budget_ = kMaxExpansions;
  if (from.needed == 0 && b < 0x80) {
    take(b, from, to);
    return to.stacks() > 0;
  }
  uint32_t partial = 0;
  uint8_t needed = 0, length = from.length;
  if (from.needed == 0) {
    length = b >= 0xF0 && b < 0xF5 ? 4 : b >= 0xE0 && b < 0xF0 ? 3 : b >= 0xC2 && b < 0xE0 ? 2 : 0;
    if (length == 0) return false;  // not a UTF-8 lead byte
    partial = b & (0x7Fu >> length);
    needed = length - 1;
  } else {
    if ((b & 0xC0) != 0x80) return false;
    partial = from.partial << 6 | (b & 0x3Fu);
    needed = from.needed - 1;
  }
  const uint32_t lo = std::max(partial << (6 * needed), kLeast[length]);
  const uint32_t hi = std::min(partial << (6 * needed) | ((1u << (6 * needed)) - 1), kMost);
  if (lo > hi || (is_surrogate(lo) && is_surrogate(hi))) return false;  // no character begins so
  if (needed == 0) {
    take(partial, from, to);
    return to.stacks() > 0;
  }
  for (size_t i = 0; i < from.stacks(); ++i) {
    std::span<const uint32_t> s = from.stack(i);
    if (!s.empty() && g_.may_take(g_.at(s.back()), lo, hi)) to.add(s, kMaxStacks);
  }
  to.partial = partial;
  to.needed = needed;
  to.length = length;
  return to.stacks() > 0;
}

bool GbnfMatcher::feed(GbnfState& s, std::string_view bytes) {
  GbnfState next;
  for (char c : bytes) {
    if (!advance(s, static_cast<uint8_t>(c), next)) return false;
    std::swap(s, next);
  }
  return true;
}

bool GbnfMatcher::accepting(const GbnfState& s) const {
  if (s.needed != 0) return false;
  for (size_t i = 0; i < s.stacks(); ++i)
    if (s.stack(i).empty()) return true;
  return false;
}

bool GbnfMatcher::complete(const GbnfState& s) const { return s.needed == 0 && s.stacks() == 1 && s.stack(0).empty(); }

}  // namespace lmc::structured
