// The tokens of one line of a pass file, each with its column, so that every error in
// a pass file can point at the place it is about: words (`guard`, `single-use`), captures
// (`%g`, without the `%`), integers, quoted strings and the few punctuation marks the
// guards' expressions use.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lmc::passes::text {

// UTF-8's byte-order mark: an editor may open a file with it, which the parser skips; any
// later one is an error that names it.
inline constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

enum class TokenKind { Word, Capture, Int, String, Punct, End };

struct Token {
  TokenKind kind = TokenKind::End;
  std::string text;  // a word, a capture's name, an integer's digits, a string's value, a mark
  int col = 0;       // 1-based
};

class LineLexer {
 public:
  // `where` is "file:LINE" for errors; throws lmc::Error "where:COL: error: ..." on a
  // character no token starts with or an unterminated string.
  LineLexer(std::string_view line, std::string where);

  const Token& peek() const { return tokens_[pos_]; }
  Token next();
  bool at_end() const { return peek().kind == TokenKind::End; }
  // Consumes the next token if it is the punctuation mark or word `text`.
  bool accept(std::string_view text);
  void expect(std::string_view text, const char* what);
  std::string expect_word(const char* what);
  std::string expect_capture(const char* what);
  std::string expect_string(const char* what);
  int64_t expect_int(const char* what);
  void expect_end();
  // "where:COL: error: what", at the next token.
  [[noreturn]] void fail(const std::string& what) const;
  [[noreturn]] void fail_at(int col, const std::string& what) const;
  const std::string& where() const { return where_; }
  // The line's text from column `from` up to (not including) column `to`, spaces trimmed.
  std::string slice(int from, int to) const;

 private:
  std::string line_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  std::string where_;
  Token expect_kind(TokenKind kind, const char* what);
};

}  // namespace lmc::passes::text
