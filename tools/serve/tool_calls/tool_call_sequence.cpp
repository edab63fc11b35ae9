#include "tools/serve/tool_calls/tool_call_sequence.h"

#include <algorithm>

namespace lmc::tools {

namespace {

constexpr size_t npos = std::string_view::npos;
constexpr std::string_view kSpace = " \n\t\r";

// The first byte at or after `at` that is not whitespace; the end when there is none yet.
size_t skip_space(std::string_view s, size_t at) { return std::min(s.find_first_not_of(kSpace, at), s.size()); }

// A form's literal without the whitespace around it, which a model may write otherwise.
std::string_view trimmed(std::string_view s) {
  const size_t first = s.find_first_not_of(kSpace);
  return first == npos ? std::string_view() : s.substr(first, s.find_last_not_of(kSpace) - first + 1);
}

CallStep more(bool may_end = false) { return {CallStep::Kind::More, npos, may_end}; }
CallStep off() { return {CallStep::Kind::Off}; }

// A call's object after the spaces from `at`.
CallStep object_at(std::string_view text, size_t at) {
  at = skip_space(text, at);
  if (at == text.size()) return more();
  return text[at] == '{' ? CallStep{CallStep::Kind::Call, at} : off();
}

// `literal` at `at`, then `then` past it; More while the text ends inside the literal.
template <typename Then>
CallStep after_literal(std::string_view text, size_t at, std::string_view literal, Then then) {
  const std::string_view rest = text.substr(at);
  if (rest.starts_with(literal)) return then(at + literal.size());
  return literal.starts_with(rest) ? more() : off();
}

// Mistral's: ',' and the next item, or ']' and nothing after it but spaces.
CallStep next_in_list(std::string_view text, size_t end) {
  const size_t at = skip_space(text, end);
  if (at == text.size()) return more();
  if (text[at] == ',') return object_at(text, at + 1);
  if (text[at] == ']' && skip_space(text, at + 1) == text.size()) return more(true);
  return off();
}

// Llama's: the end, or the joint and the next call.
CallStep next_joined(const ToolCallFormat& f, std::string_view text, size_t end) {
  const size_t at = skip_space(text, end);
  if (at == text.size()) return more(true);
  const std::string_view joint = trimmed(f.between);
  if (joint.empty()) return off();
  return after_literal(text, at, joint, [&](size_t past) { return object_at(text, past); });
}

// Hermes': the block's closing (or the end), then any text up to the next opening's call.
CallStep next_block(const ToolCallFormat& f, std::string_view text, size_t end) {
  const size_t at = skip_space(text, end);
  if (at == text.size()) return more(true);
  const std::string_view open = trimmed(f.answer_open());
  return after_literal(text, at, trimmed(f.close), [&](size_t past) {
    const size_t next = text.find(open, past);
    return next == npos ? more(true) : object_at(text, next + open.size());
  });
}

}  // namespace

CallStep first_call_step(const ToolCallFormat& f, std::string_view text, size_t from) {
  if (!f.list) return object_at(text, from);
  const size_t at = skip_space(text, from);
  if (at == text.size()) return more();
  return text[at] == '[' ? object_at(text, at + 1) : off();
}

CallStep next_call_step(const ToolCallFormat& f, std::string_view text, size_t end) {
  if (f.list) return next_in_list(text, end);
  if (trimmed(f.answer_open()).empty()) return next_joined(f, text, end);
  return next_block(f, text, end);
}

size_t calls_start_in_text(const ToolCallFormat& f, std::string_view text) {
  const std::string_view open = trimmed(f.answer_open());
  if (!open.empty()) {
    const size_t at = text.find(open);
    return at == npos ? npos : at + open.size();
  }
  const size_t at = skip_space(text, 0);
  return text.substr(at).starts_with(f.skipped) ? at + f.skipped.size() : at;
}

}  // namespace lmc::tools
