#include "jinja/token_cursor.h"

#include "support/error.h"

namespace lmc::jinja {

const char* kind_name(TokenKind k) {
  switch (k) {
    case TokenKind::kText:
      return "text";
    case TokenKind::kVarBegin:
      return "'{{'";
    case TokenKind::kVarEnd:
      return "'}}'";
    case TokenKind::kBlockBegin:
      return "'{%'";
    case TokenKind::kBlockEnd:
      return "'%}'";
    case TokenKind::kName:
      return "name";
    case TokenKind::kString:
      return "string";
    case TokenKind::kInt:
      return "integer";
    case TokenKind::kFloat:
      return "float";
    case TokenKind::kOp:
      return "operator";
    case TokenKind::kEof:
      return "end of template";
  }
  return "token";
}

void TokenCursor::fail(const Token& t, const std::string& what) const {
  throw error_at(name_ + ":" + std::to_string(t.line), what);
}

std::string TokenCursor::describe(const Token& t) {
  if (t.kind == TokenKind::kOp || t.kind == TokenKind::kName) return "'" + t.text + "'";
  return kind_name(t.kind);
}

const Token& TokenCursor::expect(TokenKind k) {
  const Token& t = cur();
  if (t.kind != k) fail(t, std::string("expected ") + kind_name(k) + ", found " + describe(t));
  ++i_;
  return t;
}

void TokenCursor::expect_op(const char* op) {
  if (!skip_op(op)) fail(cur(), std::string("expected '") + op + "', found " + describe(cur()));
}

void TokenCursor::expect_name(const char* n) {
  if (!skip_name(n)) fail(cur(), std::string("expected '") + n + "', found " + describe(cur()));
}

bool TokenCursor::skip_op(const char* op) {
  if (cur().kind == TokenKind::kOp && cur().text == op) return ++i_, true;
  return false;
}

bool TokenCursor::skip_name(const char* n) {
  if (cur().kind == TokenKind::kName && cur().text == n) return ++i_, true;
  return false;
}

TokenCursor::Depth::Depth(TokenCursor& c) : c_(c) {
  if (++c_.depth_ > kMaxDepth) c_.fail(c_.cur(), "template nested deeper than " + std::to_string(kMaxDepth));
}

}  // namespace lmc::jinja
