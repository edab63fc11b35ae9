// Recursive-descent parser of expressions (expression_parser.h).
#include "jinja/expression_parser.h"

#include <charconv>
#include <cstdlib>

namespace lmc::jinja {

namespace {

ExprPtr expr(ExprKind k, int line) {
  auto e = std::make_unique<Expr>();
  e->kind = k;
  e->line = line;
  return e;
}

ExprPtr wrap(ExprKind k, ExprPtr inner, int line) {
  auto e = expr(k, line);
  e->items.push_back(std::move(inner));
  return e;
}

ExprPtr literal(Value v, int line) {
  auto e = expr(ExprKind::kLiteral, line);
  e->value = std::move(v);
  return e;
}

}  // namespace

ExprPtr ExpressionParser::tuple_expression() {
  ExprPtr first = expression();
  if (!(c_.cur().kind == TokenKind::kOp && c_.cur().text == ",")) return first;
  auto list = expr(ExprKind::kList, first->line);
  list->items.push_back(std::move(first));
  while (c_.skip_op(",")) {
    if (c_.cur().kind == TokenKind::kBlockEnd) break;
    list->items.push_back(expression());
  }
  return list;
}

ExprPtr ExpressionParser::expression() {
  TokenCursor::Depth guard(c_);
  ExprPtr e = or_expression();
  while (c_.cur().kind == TokenKind::kName && c_.cur().text == "if") {
    auto c = expr(ExprKind::kCondition, c_.cur().line);
    c_.advance();
    ExprPtr cond = or_expression();
    ExprPtr otherwise = c_.skip_name("else") ? expression() : nullptr;
    c->items.push_back(std::move(e));
    c->items.push_back(std::move(cond));
    c->items.push_back(std::move(otherwise));
    e = std::move(c);
  }
  return e;
}

ExprPtr ExpressionParser::binary_chain(ExprPtr (ExpressionParser::*next)(), std::initializer_list<const char*> ops,
                                       bool words) {
  ExprPtr left = (this->*next)();
  for (;;) {
    const Token& tok = c_.cur();
    const char* found = nullptr;
    for (const char* op : ops)
      if (tok.kind == (words ? TokenKind::kName : TokenKind::kOp) && tok.text == op) found = op;
    if (!found) return left;
    c_.advance();
    auto b = expr(ExprKind::kBinary, tok.line);
    b->name = found;
    b->items.push_back(std::move(left));
    b->items.push_back((this->*next)());
    left = std::move(b);
  }
}

ExprPtr ExpressionParser::or_expression() { return binary_chain(&ExpressionParser::and_expression, {"or"}, true); }
ExprPtr ExpressionParser::and_expression() { return binary_chain(&ExpressionParser::not_expression, {"and"}, true); }

ExprPtr ExpressionParser::not_expression() {
  if (c_.cur().kind == TokenKind::kName && c_.cur().text == "not") {
    TokenCursor::Depth guard(c_);
    auto u = expr(ExprKind::kUnary, c_.cur().line);
    c_.advance();
    u->name = "not";
    u->items.push_back(not_expression());
    return u;
  }
  return compare();
}

ExprPtr ExpressionParser::compare() {
  ExprPtr first = math1();
  ExprPtr c;
  for (;;) {
    const Token& tok = c_.cur();
    std::string op;
    if (tok.kind == TokenKind::kOp && (tok.text == "==" || tok.text == "!=" || tok.text == "<" || tok.text == ">" ||
                                       tok.text == "<=" || tok.text == ">=")) {
      op = tok.text;
      c_.advance();
    } else if (tok.kind == TokenKind::kName && tok.text == "in") {
      op = "in";
      c_.advance();
    } else if (tok.kind == TokenKind::kName && tok.text == "not" && c_.ahead(1).kind == TokenKind::kName &&
               c_.ahead(1).text == "in") {
      op = "not in";
      c_.advance(2);
    } else {
      return c ? std::move(c) : std::move(first);
    }
    if (!c) {
      c = expr(ExprKind::kCompare, tok.line);
      c->items.push_back(std::move(first));
    }
    c->ops.push_back(op);
    c->items.push_back(math1());
  }
}

ExprPtr ExpressionParser::math1() { return binary_chain(&ExpressionParser::concat, {"+", "-"}, false); }
ExprPtr ExpressionParser::concat() { return binary_chain(&ExpressionParser::math2, {"~"}, false); }
ExprPtr ExpressionParser::math2() { return binary_chain(&ExpressionParser::power, {"*", "/", "//", "%"}, false); }
ExprPtr ExpressionParser::power() { return binary_chain(&ExpressionParser::unary_with_filters, {"**"}, false); }
ExprPtr ExpressionParser::unary_with_filters() { return unary(true); }

ExprPtr ExpressionParser::unary(bool with_filters) {
  TokenCursor::Depth guard(c_);
  const Token& tok = c_.cur();
  ExprPtr e;
  if (tok.kind == TokenKind::kOp && (tok.text == "-" || tok.text == "+")) {
    c_.advance();
    e = expr(ExprKind::kUnary, tok.line);
    e->name = tok.text;
    e->items.push_back(unary(false));
  } else {
    e = primary();
  }
  e = postfix(std::move(e));
  return with_filters ? filters(std::move(e)) : std::move(e);
}

ExprPtr ExpressionParser::primary() {
  const Token& tok = c_.cur();
  if (tok.kind == TokenKind::kName) {
    c_.advance();
    const std::string& w = tok.text;
    if (w == "true" || w == "True") return literal(Value(true), tok.line);
    if (w == "false" || w == "False") return literal(Value(false), tok.line);
    if (w == "none" || w == "None") return literal(Value(None{}), tok.line);
    auto n = expr(ExprKind::kName, tok.line);
    n->name = w;
    return n;
  }
  if (tok.kind == TokenKind::kString) {
    std::string s;
    while (c_.cur().kind == TokenKind::kString) s += c_.take().text;
    return literal(Value(std::move(s)), tok.line);
  }
  if (tok.kind == TokenKind::kInt) {
    c_.advance();
    return int_literal(tok);
  }
  if (tok.kind == TokenKind::kFloat) {
    c_.advance();
    return literal(Value(std::strtod(tok.text.c_str(), nullptr)), tok.line);
  }
  if (tok.kind == TokenKind::kOp && tok.text == "(") {
    c_.advance();
    if (c_.skip_op(")")) return tuple_literal(tok.line);
    ExprPtr e = expression();
    if (c_.skip_op(",")) {
      auto list = tuple_literal(tok.line);
      list->items.push_back(std::move(e));
      while (!c_.skip_op(")")) {
        list->items.push_back(expression());
        if (!c_.skip_op(",")) {
          c_.expect_op(")");
          break;
        }
      }
      return list;
    }
    c_.expect_op(")");
    return e;
  }
  if (tok.kind == TokenKind::kOp && tok.text == "[") {
    c_.advance();
    auto list = expr(ExprKind::kList, tok.line);
    c_.until_closed("]", [&] { list->items.push_back(expression()); });
    return list;
  }
  if (tok.kind == TokenKind::kOp && tok.text == "{") {
    c_.advance();
    auto dict = expr(ExprKind::kDict, tok.line);
    c_.until_closed("}", [&] {
      dict->items.push_back(expression());
      c_.expect_op(":");
      dict->items.push_back(expression());
    });
    return dict;
  }
  c_.fail(tok, "unexpected " + TokenCursor::describe(tok));
}

ExprPtr ExpressionParser::postfix(ExprPtr e) {
  for (;;) {
    const Token& tok = c_.cur();
    if (tok.kind != TokenKind::kOp) return e;
    if (tok.text == ".") {
      c_.advance();
      const Token& attr = c_.cur();
      c_.advance();
      if (attr.kind == TokenKind::kName) {
        e = wrap(ExprKind::kAttribute, std::move(e), tok.line);
        e->name = attr.text;
      } else if (attr.kind == TokenKind::kInt) {
        auto index = int_literal(attr);
        e = wrap(ExprKind::kItem, std::move(e), tok.line);
        e->items.push_back(std::move(index));
      } else {
        c_.fail(attr, "expected a name after '.'");
      }
    } else if (tok.text == "[") {
      c_.advance();
      e = subscript(std::move(e), tok.line);
    } else if (tok.text == "(") {
      e = call(std::move(e));
    } else {
      return e;
    }
  }
}

ExprPtr ExpressionParser::tuple_literal(int line) {
  auto e = expr(ExprKind::kList, line);
  e->name = "tuple";
  return e;
}

ExprPtr ExpressionParser::int_literal(const Token& tok) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(tok.text.data(), tok.text.data() + tok.text.size(), v);
  if (ec != std::errc()) c_.fail(tok, "integer literal " + tok.text + " out of range");
  return literal(Value(v), tok.line);
}

ExprPtr ExpressionParser::subscript(ExprPtr target, int line) {
  ExprPtr bounds[3];
  int part = 0;
  bool slice = false;
  for (;;) {
    if (c_.skip_op("]")) break;
    if (c_.skip_op(":")) {
      slice = true;
      if (++part > 2) c_.fail(c_.cur(), "a slice has at most three parts");
      continue;
    }
    if (bounds[part]) c_.fail(c_.cur(), "expected ']' or ':'");
    bounds[part] = expression();
  }
  if (!slice) {
    if (!bounds[0]) c_.fail(c_.cur(), "expected a subscript");
    auto e = wrap(ExprKind::kItem, std::move(target), line);
    e->items.push_back(std::move(bounds[0]));
    return e;
  }
  auto e = wrap(ExprKind::kSlice, std::move(target), line);
  for (auto& b : bounds) e->items.push_back(std::move(b));
  return e;
}

ExprPtr ExpressionParser::call(ExprPtr callee) {
  auto c = wrap(ExprKind::kCall, std::move(callee), c_.cur().line);
  arguments(*c);
  return c;
}

void ExpressionParser::arguments(Expr& e) {
  c_.expect_op("(");
  c_.until_closed(")", [&] {
    if (c_.cur().kind == TokenKind::kName && c_.ahead(1).kind == TokenKind::kOp && c_.ahead(1).text == "=") {
      std::string key = c_.cur().text;
      c_.advance(2);
      e.keywords.emplace_back(std::move(key), expression());
    } else {
      if (!e.keywords.empty()) c_.fail(c_.cur(), "a positional argument follows a keyword argument");
      e.items.push_back(expression());
    }
  });
}

ExprPtr ExpressionParser::filter_chain(ExprPtr subject) {
  const int line = c_.cur().line;
  ExprPtr e = wrap(ExprKind::kFilter, std::move(subject), line);
  e->name = dotted_name();
  if (c_.cur().kind == TokenKind::kOp && c_.cur().text == "(") arguments(*e);
  return filters(std::move(e));
}

ExprPtr ExpressionParser::filters(ExprPtr e) {
  for (;;) {
    const Token& tok = c_.cur();
    if (tok.kind == TokenKind::kOp && tok.text == "|") {
      c_.advance();
      e = wrap(ExprKind::kFilter, std::move(e), tok.line);
      e->name = dotted_name();
      if (c_.cur().kind == TokenKind::kOp && c_.cur().text == "(") arguments(*e);
    } else if (tok.kind == TokenKind::kName && tok.text == "is") {
      c_.advance();
      e = wrap(ExprKind::kTest, std::move(e), tok.line);
      e->negated = c_.skip_name("not");
      e->name = dotted_name();
      test_arguments(*e);
    } else if (tok.kind == TokenKind::kOp && tok.text == "(") {
      e = call(std::move(e));
    } else {
      return e;
    }
  }
}

void ExpressionParser::test_arguments(Expr& e) {
  const Token& tok = c_.cur();
  if (tok.kind == TokenKind::kOp && tok.text == "(") return arguments(e);
  const bool starts_primary =
      tok.kind == TokenKind::kString || tok.kind == TokenKind::kInt || tok.kind == TokenKind::kFloat ||
      (tok.kind == TokenKind::kOp && (tok.text == "[" || tok.text == "{")) ||
      (tok.kind == TokenKind::kName && tok.text != "else" && tok.text != "or" && tok.text != "and" &&
       tok.text != "is" && tok.text != "if" && tok.text != "not" && tok.text != "in");
  if (starts_primary) e.items.push_back(postfix(primary()));
}

std::string ExpressionParser::dotted_name() {
  std::string n = c_.expect(TokenKind::kName).text;
  while (c_.cur().kind == TokenKind::kOp && c_.cur().text == "." && c_.ahead(1).kind == TokenKind::kName) {
    n += "." + c_.ahead(1).text;
    c_.advance(2);
  }
  return n;
}

}  // namespace lmc::jinja
