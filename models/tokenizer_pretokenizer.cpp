#include "models/tokenizer_pretokenizer.h"

#include "ir/error.h"
#include "models/tokenizer_unicode.h"

namespace lmc::models {
namespace {

// Walks the text one character at a time; classes are looked up once per character.
class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {
    for (size_t pos = 0; pos < text.size();) {
      Utf8Char c = utf8_at(text, pos);
      starts_.push_back(pos);
      classes_.push_back(c.cp == kInvalidUtf8 ? CharClass::Other : char_class(c.cp));
      pos += c.size;
    }
    starts_.push_back(text.size());
  }
  size_t count() const { return classes_.size(); }
  CharClass cls(size_t i) const { return i < count() ? classes_[i] : CharClass::Other; }
  bool exists(size_t i) const { return i < count(); }
  char byte(size_t i) const { return i < count() ? text_[starts_[i]] : '\0'; }
  std::string_view slice(size_t from, size_t to) const {
    return text_.substr(starts_[from], starts_[to] - starts_[from]);
  }

 private:
  std::string_view text_;
  std::vector<size_t> starts_;
  std::vector<CharClass> classes_;
};

// 's|'t|'re|'ve|'m|'ll|'d — lengths in characters, 0 when none matches at i.
size_t contraction_at(const Cursor& c, size_t i) {
  if (c.byte(i) != '\'') return 0;
  char a = c.byte(i + 1), b = c.byte(i + 2);
  if (a == 's' || a == 't' || a == 'm' || a == 'd') return 2;
  if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return 3;
  return 0;
}

bool is_other(CharClass k) { return k == CharClass::Other; }

// One match of the GPT-2 pattern starting at character i; returns its end.
size_t gpt2_match_end(const Cursor& c, size_t i) {
  if (size_t n = contraction_at(c, i)) return i + n;
  // " ?X+" for X in letters, numbers, other: an optional leading space joins the run.
  size_t run = (c.byte(i) == ' ' && c.exists(i + 1) && c.cls(i + 1) != CharClass::Space) ? i + 1 : i;
  CharClass k = c.cls(run);
  if (k != CharClass::Space) {
    size_t end = run + 1;
    while (c.exists(end) && (c.cls(end) == k || (is_other(k) && is_other(c.cls(end))))) ++end;
    return end;
  }
  // \s+(?!\S) backs off one character so the last space can lead the next word; \s+ takes a
  // lone space before a word.
  size_t end = i;
  while (c.exists(end) && c.cls(end) == CharClass::Space) ++end;
  if (end == c.count() || end - i == 1) return end;
  return end - 1;
}

void split_gpt2(std::string_view text, std::vector<std::string_view>& out) {
  Cursor c(text);
  for (size_t i = 0; i < c.count();) {
    size_t end = gpt2_match_end(c, i);
    out.push_back(c.slice(i, end));
    i = end;
  }
}

// Every number character becomes a piece of its own; the text between keeps its shape.
std::vector<std::string_view> isolate_numbers(std::string_view text) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t pos = 0; pos < text.size();) {
    Utf8Char ch = utf8_at(text, pos);
    if (ch.cp != kInvalidUtf8 && char_class(ch.cp) == CharClass::Number) {
      if (pos > start) out.push_back(text.substr(start, pos - start));
      out.push_back(text.substr(pos, ch.size));
      start = pos + ch.size;
    }
    pos += ch.size;
  }
  if (start < text.size()) out.push_back(text.substr(start));
  return out;
}

}  // namespace

PreTokenizer pre_tokenizer_named(const std::string& name, const std::string& where) {
  if (name == "gpt2" || name.empty()) return PreTokenizer::Gpt2;
  if (name == "smollm") return PreTokenizer::SmolLm;
  throw error_at(where, "unsupported byte-level pre-tokenizer '" + name + "' (known: gpt2, smollm)");
}

std::vector<std::string_view> pre_tokenize(PreTokenizer pre, std::string_view text) {
  std::vector<std::string_view> out;
  if (pre == PreTokenizer::Gpt2) {
    split_gpt2(text, out);
    return out;
  }
  for (std::string_view part : isolate_numbers(text)) split_gpt2(part, out);
  return out;
}

}  // namespace lmc::models
