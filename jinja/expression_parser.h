// Expressions by Jinja2's grammar and operator precedence, loosest first: the conditional
// `a if c else b`, or, and, not, comparisons (and in, not in), + -, ~, * / // %, **, unary -
// +, then postfix . [] () and | filters and "is" tests; literals, lists, dicts and tuples.
#pragma once
#include <initializer_list>
#include <string>

#include "jinja/ast.h"
#include "jinja/token_cursor.h"

namespace lmc::jinja {

class ExpressionParser {
 public:
  explicit ExpressionParser(TokenCursor& c) : c_(c) {}

  ExprPtr expression();        // with the conditional
  ExprPtr tuple_expression();  // `a, b` as a tuple (a set's value)
  ExprPtr or_expression();     // without the conditional (a for loop's iterable and filter)
  // `name(args) | name2 ...` applied to `subject` (a {% filter %} block's head).
  ExprPtr filter_chain(ExprPtr subject);

 private:
  ExprPtr binary_chain(ExprPtr (ExpressionParser::*next)(), std::initializer_list<const char*> ops, bool words);
  ExprPtr and_expression();
  ExprPtr not_expression();
  ExprPtr compare();
  ExprPtr math1();
  ExprPtr concat();
  ExprPtr math2();
  ExprPtr power();
  ExprPtr unary_with_filters();
  ExprPtr unary(bool with_filters);
  ExprPtr primary();
  ExprPtr postfix(ExprPtr e);
  ExprPtr tuple_literal(int line);
  ExprPtr int_literal(const Token& tok);
  ExprPtr subscript(ExprPtr target, int line);
  ExprPtr call(ExprPtr callee);
  void arguments(Expr& e);
  ExprPtr filters(ExprPtr e);
  void test_arguments(Expr& e);
  std::string dotted_name();

  TokenCursor& c_;
};

}  // namespace lmc::jinja
