// The parsed template: expressions and statements, each with the line it starts on so
// that an error while rendering names it.
#pragma once
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "jinja/value.h"

namespace lmc::jinja {

enum class ExprKind {
  kLiteral,    // value
  kName,       // name
  kList,       // items; name "tuple" for a parenthesized one
  kDict,       // items: key, value, key, value...
  kUnary,      // name ("not", "-", "+"), items[0]
  kBinary,     // name (an operator, "and", "or"), items[0..1]
  kCompare,    // items[0..n], ops[n-1] ("==", "in", "not in", ...)
  kCondition,  // items: then, condition, else (may be null)
  kAttribute,  // items[0].name
  kItem,       // items[0][items[1]]
  kSlice,      // items[0][items[1]:items[2]:items[3]], each bound may be null
  kCall,       // items[0](items[1..], keywords)
  kFilter,     // items[0] | name(items[1..], keywords)
  kTest,       // items[0] is [not] name(items[1..], keywords)
};

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  ExprKind kind;
  int line;
  std::string name;
  Value value;
  std::vector<ExprPtr> items;
  std::vector<std::pair<std::string, ExprPtr>> keywords;
  std::vector<std::string> ops;
  bool negated = false;  // "is not"
};

enum class StmtKind {
  kText,      // text
  kOutput,    // {{ expr }}
  kIf,        // branches, else_body
  kFor,       // targets in expr [if condition], body, else_body
  kSet,       // targets = expr; or attribute: targets[0].attribute = expr
  kSetBlock,  // {% set targets[0] %}body{% endset %}
  kMacro,     // name(params) body
  kCallBlock, // {% call expr %}body{% endcall %}: the body is the callee's caller()
  kBlock,     // body (the assistant-mask {% generation %} block renders as its body)
  kBreak,
  kContinue,
};

struct Stmt;
using Body = std::vector<std::unique_ptr<Stmt>>;

struct Stmt {
  StmtKind kind;
  int line;
  std::string text;
  ExprPtr expr;
  ExprPtr condition;
  std::vector<std::pair<ExprPtr, Body>> branches;
  Body body;
  Body else_body;
  std::vector<std::string> targets;
  std::string attribute;
  std::vector<std::pair<std::string, ExprPtr>> params;  // a macro's, with defaults
};

}  // namespace lmc::jinja
