#include "structured/json_matcher.h"

#include <algorithm>
#include <utility>

namespace lmc::structured {

void State::add(std::span<const Frame> stack) {
  for (size_t i = 0; i < stacks(); ++i)
    if (std::ranges::equal(this->stack(i), stack)) return;
  frames_.insert(frames_.end(), stack.begin(), stack.end());
  ends_.push_back(static_cast<uint32_t>(frames_.size()));
}

Matcher::Matcher(const Grammar& g) : g_(g), scratch_(kMaxUnionNesting + 1) {}

State Matcher::start() const {
  State s;
  Frame root;
  root.node = g_.root();
  s.add(std::span<const Frame>(&root, 1));
  return s;
}

bool Matcher::advance(const State& from, uint8_t b, State& to) {
  to.clear();
  for (size_t i = 0; i < from.stacks(); ++i) {
    std::span<const Frame> s = from.stack(i);
    scratch_[0].assign(s.begin(), s.end());
    feed_stack(scratch_[0], b, to, 0);
  }
  return to.stacks() > 0;
}

// Reads the byte into the stack, which ends in `out` if it can take it. A union on top
// is replaced by each of its alternatives in turn, each reading the byte on its own.
void Matcher::feed_stack(std::vector<Frame>& stack, uint8_t b, State& out, size_t level) {
  while (!stack.empty()) {  // an empty stack is a whole value: no byte may follow
    const GrammarNode& n = g_.node(stack.back().node);
    if (n.kind == NodeKind::Union) {
      if (level == kMaxUnionNesting) return;
      const auto frames = static_cast<uint32_t>(kMaxFrames - (stack.size() - 1));
      for (uint32_t a : n.alternatives) {
        if (!g_.fits(a, frames)) continue;  // its shallowest text nests too deep to close
        std::vector<Frame>& alt = scratch_[level + 1];
        alt = stack;
        alt.back() = Frame{};
        alt.back().node = a;
        feed_stack(alt, b, out, level + 1);
      }
      return;
    }
    uint32_t child = 0;
    const Step s = step_frame(g_, stack.back(), b, child, kMaxFrames - static_cast<uint32_t>(stack.size()));
    const StepEnd end = apply_step(stack, s, child);
    if (end == StepEnd::Refused) return;
    if (end == StepEnd::Taken) {
      if (out.stacks() < kMaxStacks) out.add(stack);
      return;
    }
  }
}

bool Matcher::feed(State& s, std::string_view bytes) {
  for (char c : bytes) {
    if (!advance(s, static_cast<uint8_t>(c), next_)) return false;
    std::swap(s, next_);
  }
  return true;
}

bool Matcher::complete(const State& s) const {
  for (size_t i = 0; i < s.stacks(); ++i)
    if (!s.stack(i).empty()) return false;
  return s.stacks() > 0;
}

bool Matcher::accepting(const State& s) const {
  for (size_t i = 0; i < s.stacks(); ++i) {
    std::span<const Frame> st = s.stack(i);
    if (st.empty() || (st.size() == 1 && frame_accepting(g_, st[0]))) return true;
  }
  return false;
}

uint32_t Matcher::distance(const State& s) const {
  uint32_t best = kInfinite;
  for (size_t i = 0; i < s.stacks(); ++i) {
    std::span<const Frame> stack = s.stack(i);
    uint32_t d = 0;
    for (size_t at = 0; at < stack.size(); ++at)
      d = plus(d, frame_rest(g_, stack[at], kMaxFrames - 1 - static_cast<uint32_t>(at)));
    best = std::min(best, d);
  }
  return best;
}

const Frame* Matcher::string_text(const State& s) const {
  if (s.stacks() != 1 || s.stack(0).empty()) return nullptr;
  const Frame& top = s.stack(0).back();
  return in_string_text(g_, top) ? &top : nullptr;
}

}  // namespace lmc::structured
