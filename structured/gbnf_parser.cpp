#include "structured/gbnf_parser.h"

#include <map>
#include <optional>
#include <string>
#include <utility>

namespace lmc::structured {

namespace {

constexpr int kMaxNesting = 200;  // open groups: the parser recurses into each

bool word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

std::string shown(char c) {
  if (c == '\n') return "the end of the line";
  if (static_cast<unsigned char>(c) < 0x20) return "a control character";
  return std::string("'") + c + "'";
}

class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  GbnfDraft run() {
    skip(true);
    while (i_ < s_.size()) {
      rule();
      skip(true);
    }
    return std::move(d_);
  }

 private:
  [[noreturn]] void fail(GbnfPlace p, const std::string& message) const { gbnf_fail(s_, p, message); }
  [[noreturn]] void fail(const std::string& message) const { fail(here(), message); }
  GbnfPlace here() const { return i_; }
  std::string where(GbnfPlace p) const { return gbnf_where(s_, p); }

  bool at_end() const { return i_ >= s_.size(); }
  std::string found() const { return at_end() ? "the end of the grammar" : shown(s_[i_]); }
  char peek() const { return at_end() ? '\0' : s_[i_]; }

  // Blanks and comments; newlines too when `newlines`.
  void skip(bool newlines) {
    while (!at_end()) {
      const char c = s_[i_];
      if (c == '#') {
        while (!at_end() && s_[i_] != '\n') ++i_;
      } else if (c == ' ' || c == '\t' || c == '\r' || (newlines && c == '\n')) {
        ++i_;
      } else {
        return;
      }
    }
  }

  // At a line's end outside groups: whether the next line goes on with `|`.
  bool continues_on_next_line() {
    size_t keep = i_;
    skip(true);
    if (peek() == '|') return true;
    i_ = keep;
    return false;
  }

  std::string word() {
    size_t start = i_;
    while (!at_end() && word_char(s_[i_])) ++i_;
    return std::string(s_.substr(start, i_ - start));
  }

  uint32_t rule_named(const std::string& name, GbnfPlace used) {
    auto [it, added] = by_name_.try_emplace(name, static_cast<uint32_t>(d_.rules.size()));
    if (added) {
      new_rule(used);
      d_.rules.back().name = name;
      d_.rules.back().first_use = used;
    }
    return it->second;
  }

  uint32_t new_rule(GbnfPlace at) {
    if (d_.rules.size() >= GbnfGrammar::kMaxRules)
      fail(at, "the grammar needs more than " + std::to_string(GbnfGrammar::kMaxRules) +
                   " rules (repetitions and groups count as rules)");
    d_.rules.emplace_back();
    d_.rules.back().place = at;
    return static_cast<uint32_t>(d_.rules.size() - 1);
  }

  uint32_t helper(GbnfPlace at, bool repetition) {
    const uint32_t r = new_rule(at);
    GbnfDraftRule& h = d_.rules[r];
    h.owner = owner_;
    h.name = d_.rules[owner_].name + "-" + std::to_string(++helpers_);
    h.defined = true;
    h.repetition = repetition;
    return r;
  }

  void count(GbnfPlace at, size_t n) {
    d_.symbols += n;
    if (d_.symbols > GbnfGrammar::kMaxElements)
      fail(at, "the grammar needs more than " + std::to_string(GbnfGrammar::kMaxElements) +
                   " elements once its repetitions are written out");
  }

  void rule() {
    const GbnfPlace at = here();
    if (!word_char(peek())) fail("expected a rule name, found " + found());
    const std::string name = word();
    skip(false);
    if (s_.substr(i_, 3) != "::=") fail("expected '::=' after the rule name '" + name + "'");
    i_ += 3;
    skip(true);
    const uint32_t r = rule_named(name, at);
    if (d_.rules[r].defined) {
      const GbnfPlace first = d_.rules[r].place;
      fail(at, "rule '" + name + "' is defined twice (first at " + where(first) + ")");
    }
    d_.rules[r].defined = true;
    d_.rules[r].place = at;
    owner_ = r;
    helpers_ = 0;
    // Read first: the rules it adds (groups, repetitions, names) may move d_.rules.
    std::vector<GbnfSequence> alts = alternatives(0);
    d_.rules[r].alternatives = std::move(alts);
  }

  std::vector<GbnfSequence> alternatives(int depth) {
    std::vector<GbnfSequence> alts;
    alts.push_back(sequence(depth));
    while (true) {
      if (depth == 0 && peek() == '\n' && !continues_on_next_line()) break;
      if (peek() != '|') break;
      ++i_;
      skip(true);
      alts.push_back(sequence(depth));
    }
    if (depth == 0 && !at_end() && peek() != '\n') fail("unexpected " + found());
    return alts;
  }

  GbnfSequence sequence(int depth) {
    GbnfSequence seq;
    while (!at_end()) {
      const char c = peek();
      if (!(c == '"' || c == '[' || c == '(' || c == '.' || c == '<' || word_char(c))) break;
      const GbnfPlace at = here();
      GbnfSequence part = primary(depth);
      part = postfix(std::move(part), at);
      count(at, part.size());
      for (auto& sym : part) seq.push_back(std::move(sym));
      skip(depth > 0);
    }
    return seq;
  }

  GbnfSequence primary(int depth) {
    const GbnfPlace at = here();
    const char c = peek();
    if (c == '"') return literal();
    if (c == '[') return {char_class()};
    if (c == '.') {
      ++i_;
      return {GbnfSymbol{false, 0, true, {}}};
    }
    if (c == '<') fail("token references (<...>) are not supported; write the token's text as a literal");
    if (c == '(') {
      if (depth >= kMaxNesting) fail("groups are nested deeper than " + std::to_string(kMaxNesting));
      ++i_;
      skip(true);
      std::vector<GbnfSequence> alts = alternatives(depth + 1);
      if (peek() != ')')
        fail(at_end() ? "the group opened at " + where(at) + " is not closed" : "expected ')', found " + found());
      ++i_;
      const uint32_t r = helper(at, false);
      d_.rules[r].alternatives = std::move(alts);
      return {reference(r)};
    }
    const std::string name = word();
    GbnfSymbol sym = reference(rule_named(name, at));
    return {sym};
  }

  static GbnfSymbol reference(uint32_t r) { return GbnfSymbol{true, r, false, {}}; }

  GbnfSequence literal() {
    const GbnfPlace at = here();
    ++i_;
    GbnfSequence out;
    while (peek() != '"') {
      if (at_end() || peek() == '\n')
        fail(at, "the string is not closed before the end of the " + std::string(at_end() ? "grammar" : "line"));
      const uint32_t c = character();
      out.push_back(GbnfSymbol{false, 0, false, {{c, c}}});
    }
    ++i_;
    return out;
  }

  GbnfSymbol char_class() {
    const GbnfPlace at = here();
    ++i_;
    GbnfSymbol sym;
    if (peek() == '^') {
      sym.negated = true;
      ++i_;
    }
    while (peek() != ']') {
      if (at_end()) fail(at, "the character class is not closed");
      const GbnfPlace from = here();
      const uint32_t lo = character();
      uint32_t hi = lo;
      if (peek() == '-' && i_ + 1 < s_.size() && s_[i_ + 1] != ']') {
        ++i_;
        hi = character();
        if (hi < lo) fail(from, "the range's end is before its start");
      }
      sym.ranges.push_back({lo, hi});
    }
    ++i_;
    return sym;
  }

  // One character of a literal or a class: an escape, or UTF-8.
  uint32_t character() {
    const GbnfPlace at = here();
    const auto b = static_cast<unsigned char>(s_[i_]);
    if (b == '\\') return escape();
    if (b < 0x80) {
      ++i_;
      return b;
    }
    const int len = b >= 0xF0 && b < 0xF5 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 ? 2 : 0;
    if (len == 0 || b >= 0xF5 || i_ + static_cast<size_t>(len) > s_.size()) fail(at, "the grammar is not UTF-8");
    uint32_t c = b & (0x7F >> len);
    for (int k = 1; k < len; ++k) {
      const auto cb = static_cast<unsigned char>(s_[i_ + static_cast<size_t>(k)]);
      if ((cb & 0xC0) != 0x80) fail(at, "the grammar is not UTF-8");
      c = c << 6 | (cb & 0x3F);
    }
    i_ += static_cast<size_t>(len);
    return c;
  }

  uint32_t escape() {
    const GbnfPlace at = here();
    ++i_;
    if (at_end()) fail(at, "the escape is not finished");
    const char c = s_[i_++];
    switch (c) {
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      case '\\':
      case '"':
      case '\'':
      case '[':
      case ']':
      case '-':
      case '^':
      case '/':
        return static_cast<uint32_t>(c);
      case 'x':
        return hex(2, at);
      case 'u':
        return hex(4, at);
      case 'U':
        return hex(8, at);
      default:
        fail(at, "unknown escape '\\" + std::string(1, c) + "'");
    }
  }

  uint32_t hex(int digits, GbnfPlace at) {
    uint32_t v = 0;
    for (int k = 0; k < digits; ++k) {
      const char c = peek();
      const int d = c >= '0' && c <= '9'   ? c - '0'
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                           : -1;
      if (d < 0) fail(at, "the escape needs " + std::to_string(digits) + " hexadecimal digits");
      v = v << 4 | static_cast<uint32_t>(d);
      ++i_;
    }
    if (v > 0x10FFFF) fail(at, "the escape is past the last Unicode character");
    return v;
  }

  GbnfSequence postfix(GbnfSequence x, GbnfPlace at) {
    while (true) {
      const char c = peek();
      if (c == '*') {
        ++i_;
        x = repeat(x, 0, std::nullopt, at);
      } else if (c == '+') {
        ++i_;
        x = repeat(x, 1, std::nullopt, at);
      } else if (c == '?') {
        ++i_;
        x = repeat(x, 0, 1, at);
      } else if (c == '{') {
        auto [lo, hi] = counts();
        x = repeat(x, lo, hi, at);
      } else {
        return x;
      }
    }
  }

  // {m}, {m,}, {m,n} or {,n}.
  std::pair<uint32_t, std::optional<uint32_t>> counts() {
    const GbnfPlace at = here();
    ++i_;
    skip(false);
    std::optional<uint32_t> lo = number(), hi = lo;
    skip(false);
    if (peek() == ',') {
      ++i_;
      skip(false);
      hi = number();
      skip(false);
    }
    if (peek() != '}') fail("expected '}' to close the repetition, found " + found());
    ++i_;
    if (!lo && !hi) fail(at, "the repetition needs a count");
    if (hi && *hi < lo.value_or(0)) fail(at, "the repetition's most is fewer than its least");
    return {lo.value_or(0), hi};
  }

  std::optional<uint32_t> number() {
    const GbnfPlace at = here();
    if (!(peek() >= '0' && peek() <= '9')) return std::nullopt;
    uint64_t v = 0;
    while (peek() >= '0' && peek() <= '9') {
      v = std::min<uint64_t>(v * 10 + static_cast<uint64_t>(peek() - '0'), uint64_t{1} << 40);
      ++i_;
    }
    if (v > GbnfGrammar::kMaxRepetition)
      fail(at, "the repetition count " + std::to_string(v) + " is more than " +
                   std::to_string(GbnfGrammar::kMaxRepetition));
    return static_cast<uint32_t>(v);
  }

  GbnfSequence repeat(const GbnfSequence& x, uint32_t lo, std::optional<uint32_t> hi, GbnfPlace at) {
    GbnfSequence out;
    if (x.empty()) return out;  // nothing, repeated
    for (uint32_t k = 0; k < lo; ++k) {
      count(at, x.size());
      out.insert(out.end(), x.begin(), x.end());
    }
    if (!hi) {
      const uint32_t r = helper(at, true);
      GbnfSequence again = x;
      again.push_back(reference(r));
      count(at, again.size());
      d_.rules[r].alternatives = {std::move(again), {}};
      out.push_back(reference(r));
      return out;
    }
    std::optional<uint32_t> inner;
    for (uint32_t k = lo; k < *hi; ++k) {
      const uint32_t r = helper(at, true);
      GbnfSequence once = x;
      if (inner) once.push_back(reference(*inner));
      count(at, once.size());
      d_.rules[r].alternatives = {std::move(once), {}};
      inner = r;
    }
    if (inner) out.push_back(reference(*inner));
    return out;
  }

  std::string_view s_;
  size_t i_ = 0;
  GbnfDraft d_;
  std::map<std::string, uint32_t> by_name_;
  uint32_t owner_ = 0;  // the rule being defined
  uint32_t helpers_ = 0;
};

}  // namespace

namespace {

std::pair<uint32_t, uint32_t> line_column(std::string_view text, GbnfPlace at) {
  uint32_t line = 1, column = 1;
  for (size_t k = 0; k < at && k < text.size(); ++k) {
    if (text[k] == '\n') {
      ++line;
      column = 1;
    } else if ((static_cast<unsigned char>(text[k]) & 0xC0) != 0x80) {
      ++column;  // a character's continuation bytes are not columns
    }
  }
  return {line, column};
}

}  // namespace

std::string gbnf_where(std::string_view text, GbnfPlace at) {
  auto [line, column] = line_column(text, at);
  return std::to_string(line) + ":" + std::to_string(column);
}

void gbnf_fail(std::string_view text, GbnfPlace at, const std::string& message) {
  auto [line, column] = line_column(text, at);
  throw GbnfError(line, column, message);
}

GbnfDraft parse_gbnf(std::string_view text) { return Parser(text).run(); }

}  // namespace lmc::structured
