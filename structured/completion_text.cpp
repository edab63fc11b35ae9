#include "structured/completion_text.h"

#include <cstring>

namespace lmc::structured {

size_t FrameHash::operator()(const Frame& f) const {
  static_assert(sizeof(Frame) == 16);
  uint64_t w[2];
  std::memcpy(w, &f, sizeof w);
  return static_cast<size_t>((w[0] * 0x9E3779B97F4A7C15ull) ^ (w[1] + (w[0] >> 29)));
}

// An anyOf on top becomes its alternative with the shortest text that fits the frames
// left (the first such). False when none fits.
bool CompletionTexts::settle(std::vector<Frame>& stack, uint32_t room) const {
  while (!stack.empty() && g_.node(stack.back().node).kind == NodeKind::Union) {
    const uint32_t frames = room - static_cast<uint32_t>(stack.size() - 1) + 1;
    uint32_t best = kUnbounded;
    for (uint32_t a : g_.node(stack.back().node).alternatives)
      if (g_.fits(a, frames) && (best == kUnbounded || g_.node(a).min_bytes < g_.node(best).min_bytes)) best = a;
    if (best == kUnbounded) return false;
    stack.back() = Frame{};
    stack.back().node = best;
  }
  return true;
}

// The fewest bytes that complete the stack, its frame j having room - j frames below.
uint32_t CompletionTexts::rest(const std::vector<Frame>& stack, uint32_t room) const {
  uint32_t d = 0;
  for (size_t j = 0; j < stack.size(); ++j) d = plus(d, frame_rest(g_, stack[j], room - static_cast<uint32_t>(j)));
  return d;
}

// The matcher's reading of one byte (json_matcher.cpp), on one stack.
bool CompletionTexts::read(std::vector<Frame>& stack, uint8_t b, uint32_t room) const {
  while (!stack.empty() && settle(stack, room)) {
    uint32_t child = 0;
    const Step s = step_frame(g_, stack.back(), b, child, room - static_cast<uint32_t>(stack.size() - 1));
    const StepEnd end = apply_step(stack, s, child);
    if (end != StepEnd::Again) return end == StepEnd::Taken;
  }
  return false;
}

CompletionTexts::Piece CompletionTexts::piece(const Stored& s) const {
  Piece p = ends_[s.text];
  p.text = std::string_view(texts_[s.text]).substr(s.from);
  return p;
}

CompletionTexts::Piece CompletionTexts::of(const Frame& f, uint32_t room) {
  if (auto it = memo_.find(Key{f, room}); it != memo_.end()) return piece(it->second);
  std::vector<Frame> stack{f}, next;
  std::vector<std::pair<Key, uint32_t>> passed;  // the frame's own states on the way, where each starts
  std::string text;
  Piece end;
  while (!stack.empty()) {
    if (stack.size() == 1) {
      if (auto it = memo_.find(Key{stack[0], room}); it != memo_.end()) {  // the rest is known
        const Piece known = piece(it->second);
        text += known.text;
        end.reaches_end = known.reaches_end;
        end.open = known.open;
        break;
      }
      passed.emplace_back(Key{stack[0], room}, static_cast<uint32_t>(text.size()));
    }
    if (!settle(stack, room)) {
      end.reaches_end = false;
      break;
    }
    const uint32_t left = rest(stack, room);
    if (frame_rest(g_, stack.back(), room - static_cast<uint32_t>(stack.size() - 1)) == 0) {
      stack.pop_back();  // a whole number or literal that could go on: the next byte ends it
      end.open = stack.empty();
      continue;
    }
    bool stepped = false;
    for (uint32_t b = ' '; b <= 0xFF && !stepped; ++b) {
      next = stack;
      if (read(next, static_cast<uint8_t>(b), room) && settle(next, room) && rest(next, room) + 1 == left) {
        text += static_cast<char>(b);
        stack.swap(next);
        stepped = true;
      }
    }
    if (!stepped) {
      end.reaches_end = false;
      break;
    }
  }
  texts_.push_back(std::move(text));
  ends_.push_back(end);
  const auto id = static_cast<uint32_t>(texts_.size() - 1);
  for (const auto& [key, from] : passed) memo_.emplace(key, Stored{id, from});
  return piece(Stored{id, 0});
}

}  // namespace lmc::structured
