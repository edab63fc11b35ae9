#include "tools/serve/answer/reasoning_split.h"

namespace lmc::tools {

namespace {

constexpr const char* kSpace = " \n\t\r";

// The length of the longest end of `text` that begins `tag` (a tag cut by the piece's end).
size_t tag_begun_at_end(std::string_view text, std::string_view tag) {
  for (size_t n = std::min(text.size(), tag.size() - 1); n > 0; --n)
    if (tag.starts_with(text.substr(text.size() - n))) return n;
  return 0;
}

// `text` without the whitespace it ends with.
std::string_view right_trimmed(std::string_view text) {
  const size_t last = text.find_last_not_of(kSpace);
  return last == std::string_view::npos ? std::string_view() : text.substr(0, last + 1);
}

}  // namespace

bool prompt_opens_reasoning(std::string_view prompt) { return right_trimmed(prompt).ends_with(kThinkOpen); }

ReasoningSplit::ReasoningSplit(ReasoningFormat format, bool opened)
    : legacy_(format == ReasoningFormat::DeepseekLegacy),
      mode_(format == ReasoningFormat::None ? Mode::Content
            : opened                        ? Mode::Reasoning
                                            : Mode::Deciding) {}

ReasoningSplit::Parts ReasoningSplit::piece(std::string_view text) {
  Parts out;
  if (legacy_) out.content = text;
  if (mode_ == Mode::Content) {
    if (!legacy_) out.content = text;
    return out;
  }
  held_ += text;
  if (mode_ == Mode::Deciding) decide(out);
  if (mode_ == Mode::Reasoning) reason(out);
  if (mode_ == Mode::AfterReasoning) after_reasoning(out);
  return out;
}

// The answer begins with <think> (after whitespace) or is content.
void ReasoningSplit::decide(Parts& out) {
  const size_t start = held_.find_first_not_of(kSpace);
  if (start == std::string::npos) return;
  const std::string_view rest = std::string_view(held_).substr(start);
  if (rest.size() < kThinkOpen.size() && kThinkOpen.starts_with(rest)) return;
  if (rest.starts_with(kThinkOpen)) {
    held_.erase(0, start + kThinkOpen.size());
    mode_ = Mode::Reasoning;
    return;
  }
  mode_ = Mode::Content;
  if (!legacy_) out.content = held_;
  held_.clear();
}

// Sends the reasoning but its leading whitespace, the whitespace it may end with and a
// closing tag begun; at </think> the rest is after it.
void ReasoningSplit::reason(Parts& out) {
  if (!reasoned_) {
    const size_t start = held_.find_first_not_of(kSpace);
    held_.erase(0, start == std::string::npos ? held_.size() : start);
  }
  const size_t close = held_.find(kThinkClose);
  const std::string_view open_part =
      close == std::string::npos
          ? std::string_view(held_).substr(0, held_.size() - tag_begun_at_end(held_, kThinkClose))
          : std::string_view(held_).substr(0, close);
  const std::string_view sent = right_trimmed(open_part);
  out.reasoning += sent;
  reasoned_ = reasoned_ || !sent.empty();
  if (close == std::string::npos) {
    held_.erase(0, sent.size());
    return;
  }
  held_.erase(0, close + kThinkClose.size());
  mode_ = Mode::AfterReasoning;
}

void ReasoningSplit::after_reasoning(Parts& out) {
  const size_t start = held_.find_first_not_of(kSpace);
  if (start == std::string::npos) return held_.clear();
  mode_ = Mode::Content;
  if (!legacy_) out.content = held_.substr(start);
  held_.clear();
}

ReasoningSplit::Parts ReasoningSplit::end() {
  Parts out;
  if (mode_ == Mode::Deciding && !legacy_) out.content = held_;
  if (mode_ == Mode::Reasoning) out.reasoning = right_trimmed(held_);
  held_.clear();
  mode_ = Mode::Content;
  return out;
}

ReasoningSplit::Parts split_reasoning(ReasoningFormat format, bool opened, std::string_view answer) {
  ReasoningSplit split(format, opened);
  ReasoningSplit::Parts whole = split.piece(answer);
  ReasoningSplit::Parts rest = split.end();
  whole.reasoning += rest.reasoning;
  whole.content += rest.content;
  return whole;
}

}  // namespace lmc::tools
