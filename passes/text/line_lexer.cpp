#include "passes/text/line_lexer.h"

#include <cctype>
#include <charconv>

#include "support/error.h"
#include "support/untrusted_text.h"

namespace lmc::passes::text {

namespace {

bool word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; }
bool capture_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

const char* kind_name(TokenKind k) {
  switch (k) {
    case TokenKind::Word:
      return "a word";
    case TokenKind::Capture:
      return "a %capture";
    case TokenKind::Int:
      return "an integer";
    case TokenKind::String:
      return "a quoted string";
    case TokenKind::Punct:
      return "a mark";
    case TokenKind::End:
      return "the end of the line";
  }
  return "";
}

}  // namespace

LineLexer::LineLexer(std::string_view s, std::string where) : line_(s), where_(std::move(where)) {
  size_t i = 0;
  auto col = [&](size_t at) { return static_cast<int>(at) + 1; };
  while (i < s.size()) {
    char c = s[i];
    if (c == ' ' || c == '\t' || c == '\r') {
      ++i;
      continue;
    }
    size_t b = i;
    Token t;
    t.col = col(b);
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      while (i < s.size() && word_char(s[i])) ++i;
      t = {TokenKind::Word, std::string(s.substr(b, i - b)), col(b)};
    } else if (c == '%') {
      ++i;
      while (i < s.size() && capture_char(s[i])) ++i;
      if (i == b + 1) fail_at(col(b), "expected a name after '%'");
      t = {TokenKind::Capture, std::string(s.substr(b + 1, i - b - 1)), col(b)};
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
      t = {TokenKind::Int, std::string(s.substr(b, i - b)), col(b)};
    } else if (c == '"') {
      std::string value;
      for (++i; i < s.size() && s[i] != '"'; ++i) {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        value += s[i];
      }
      if (i >= s.size()) fail_at(col(b), "unterminated string");
      ++i;
      t = {TokenKind::String, value, col(b)};
    } else {
      static const std::string_view two[] = {"==", "!=", "<=", ">="};
      std::string_view mark = s.substr(i, 1);
      for (auto m : two)
        if (s.substr(i, 2) == m) mark = m;
      if (s.substr(i, kByteOrderMark.size()) == kByteOrderMark)
        fail_at(col(b), "unexpected byte-order mark (U+FEFF, bytes EF BB BF): only a file's first bytes may be one");
      if (mark.size() == 1 && std::string_view("<>()[],.+-").find(c) == std::string_view::npos)
        fail_at(col(b), "unexpected character '" + printable(mark) + "'");
      i += mark.size();
      t = {TokenKind::Punct, std::string(mark), col(b)};
    }
    tokens_.push_back(std::move(t));
  }
  tokens_.push_back({TokenKind::End, "", col(s.size())});
}

Token LineLexer::next() {
  Token t = tokens_[pos_];
  if (pos_ + 1 < tokens_.size()) ++pos_;
  return t;
}

bool LineLexer::accept(std::string_view text) {
  const Token& t = peek();
  if ((t.kind != TokenKind::Punct && t.kind != TokenKind::Word) || t.text != text) return false;
  next();
  return true;
}

void LineLexer::expect(std::string_view text, const char* what) {
  if (!accept(text)) fail(std::string("expected ") + what);
}

Token LineLexer::expect_kind(TokenKind kind, const char* what) {
  if (peek().kind != kind) fail(std::string("expected ") + what + ", found " + kind_name(peek().kind));
  return next();
}

std::string LineLexer::expect_word(const char* what) { return expect_kind(TokenKind::Word, what).text; }
std::string LineLexer::expect_capture(const char* what) { return expect_kind(TokenKind::Capture, what).text; }
std::string LineLexer::expect_string(const char* what) { return expect_kind(TokenKind::String, what).text; }

int64_t LineLexer::expect_int(const char* what) {
  Token t = expect_kind(TokenKind::Int, what);
  int64_t v = 0;
  auto [end, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), v);
  if (ec != std::errc() || end != t.text.data() + t.text.size())
    fail_at(t.col, "integer '" + excerpt(t.text) + "' out of range");
  return v;
}

void LineLexer::expect_end() {
  if (!at_end()) fail("unexpected '" + excerpt(peek().text) + "'");
}

std::string LineLexer::slice(int from, int to) const {
  std::string s = line_.substr(static_cast<size_t>(from - 1), static_cast<size_t>(to - from));
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.pop_back();
  return s;
}

void LineLexer::fail(const std::string& what) const { fail_at(peek().col, what); }

void LineLexer::fail_at(int col, const std::string& what) const {
  throw error_at(where_ + ":" + std::to_string(col), what);
}

}  // namespace lmc::passes::text
