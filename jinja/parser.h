// Tokens to statements (ast.h) by Jinja2's grammar and operator precedence: or, and,
// not, comparisons, + -, ~, * / // %, **, unary - +, then postfix . [] () and | filters
// and "is" tests. Nesting is bounded, so hostile input gives an error, not a deep stack.
#pragma once
#include <string>
#include <vector>

#include "jinja/ast.h"
#include "jinja/lexer.h"

namespace lmc::jinja {

// Throws lmc::Error "<name>:<line>: error: ..." naming an unknown tag or the token that
// does not fit.
Body parse(const std::vector<Token>& tokens, const std::string& name);

}  // namespace lmc::jinja
