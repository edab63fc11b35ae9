// The parsers' position in a template's tokens (parser.cpp's statements,
// expression_parser.cpp's expressions): looking at, expecting and skipping tokens, errors
// "<name>:<line>: error: ..." at a token, and the nesting bound that keeps hostile input
// from a deep stack.
#pragma once
#include <string>
#include <vector>

#include "jinja/lexer.h"

namespace lmc::jinja {

const char* kind_name(TokenKind k);

class TokenCursor {
 public:
  TokenCursor(const std::vector<Token>& tokens, const std::string& name) : t_(tokens), name_(name) {}

  const Token& cur() const { return t_[i_]; }
  const Token& ahead(size_t n) const { return t_[i_ + n]; }
  void advance(size_t n = 1) { i_ += n; }
  const Token& take() { return t_[i_++]; }

  [[noreturn]] void fail(const Token& t, const std::string& what) const;
  static std::string describe(const Token& t);
  const Token& expect(TokenKind k);
  void expect_op(const char* op);
  void expect_name(const char* n);
  bool skip_op(const char* op);
  bool skip_name(const char* n);

  // Items separated by commas up to `close` (a trailing comma allowed), each read by `item`.
  template <class ReadItem>
  void until_closed(const char* close, ReadItem item) {
    for (bool first = true; !skip_op(close); first = false) {
      if (!first) expect_op(",");
      if (skip_op(close)) break;
      item();
    }
  }

  // One level of nesting while it lives; past kMaxDepth an error at the current token.
  class Depth {
   public:
    explicit Depth(TokenCursor& c);
    ~Depth() { --c_.depth_; }
    Depth(const Depth&) = delete;
    Depth& operator=(const Depth&) = delete;

   private:
    TokenCursor& c_;
  };

 private:
  static constexpr int kMaxDepth = 200;
  const std::vector<Token>& t_;
  const std::string& name_;
  size_t i_ = 0;
  int depth_ = 0;
};

}  // namespace lmc::jinja
