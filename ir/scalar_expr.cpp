#include "ir/scalar_expr.h"

#include <algorithm>

#include "ir/attribute.h"

namespace lmc::ir {

namespace {

const char* op_name(ScalarExpr::Kind k) {
  using K = ScalarExpr::Kind;
  switch (k) {
    case K::Add:
      return "add";
    case K::Sub:
      return "sub";
    case K::Mul:
      return "mul";
    case K::Div:
      return "div";
    case K::Max:
      return "max";
    case K::Min:
      return "min";
    case K::Fma:
      return "fma";
    case K::Neg:
      return "neg";
    case K::Abs:
      return "abs";
    case K::Sqrt:
      return "sqrt";
    case K::Exp:
      return "exp";
    case K::Tanh:
      return "tanh";
    case K::ErfcNonneg:
      return "erfc";
    case K::SelectNegative:
      return "if_negative";
    default:
      return "?";
  }
}

ScalarExpr node(ScalarExpr::Kind k, std::vector<ScalarExpr> args) {
  ScalarExpr e;
  e.kind = k;
  e.args = std::move(args);
  return e;
}

}  // namespace

std::string ScalarExpr::str() const {
  switch (kind) {
    case Kind::Input:
      return "in" + std::to_string(index);
    case Kind::Stat:
      return "stat" + std::to_string(index);
    case Kind::Acc:
      return "acc";
    case Kind::Count:
      return "count";
    case Kind::Partner:
      return "partner" + std::to_string(index);
    case Kind::Table:
      return "table" + std::to_string(index);
    case Kind::Const:
      return format_attr(Attr{value});
    case Kind::Attr:
      return has_default ? attr + "|" + format_attr(Attr{value}) : attr;
    default:
      break;
  }
  std::string s = std::string(op_name(kind)) + "(";
  for (size_t i = 0; i < args.size(); ++i) s += (i ? ", " : "") + args[i].str();
  return s + ")";
}

int ScalarExpr::max_input() const {
  int m = kind == Kind::Input || kind == Kind::Partner ? index : -1;
  for (const auto& a : args) m = std::max(m, a.max_input());
  return m;
}

namespace sx {
using K = ScalarExpr::Kind;

ScalarExpr in(int i) {
  ScalarExpr e;
  e.kind = K::Input;
  e.index = i;
  return e;
}
ScalarExpr attr(const std::string& name) {
  ScalarExpr e;
  e.kind = K::Attr;
  e.attr = name;
  return e;
}
ScalarExpr attr_or(const std::string& name, double fallback) {
  ScalarExpr e = attr(name);
  e.has_default = true;
  e.value = fallback;
  return e;
}
ScalarExpr c(double v) {
  ScalarExpr e;
  e.value = v;
  return e;
}
ScalarExpr stat(int j) {
  ScalarExpr e;
  e.kind = K::Stat;
  e.index = j;
  return e;
}
ScalarExpr partner(int i) {
  ScalarExpr e = in(i);
  e.kind = K::Partner;
  return e;
}
ScalarExpr table(int j) {
  ScalarExpr e = in(j);
  e.kind = K::Table;
  return e;
}
ScalarExpr acc() { return node(K::Acc, {}); }
ScalarExpr count() { return node(K::Count, {}); }
ScalarExpr add(ScalarExpr a, ScalarExpr b) { return node(K::Add, {std::move(a), std::move(b)}); }
ScalarExpr sub(ScalarExpr a, ScalarExpr b) { return node(K::Sub, {std::move(a), std::move(b)}); }
ScalarExpr mul(ScalarExpr a, ScalarExpr b) { return node(K::Mul, {std::move(a), std::move(b)}); }
ScalarExpr div(ScalarExpr a, ScalarExpr b) { return node(K::Div, {std::move(a), std::move(b)}); }
ScalarExpr max(ScalarExpr a, ScalarExpr b) { return node(K::Max, {std::move(a), std::move(b)}); }
ScalarExpr min(ScalarExpr a, ScalarExpr b) { return node(K::Min, {std::move(a), std::move(b)}); }
ScalarExpr fma(ScalarExpr a, ScalarExpr b, ScalarExpr addend) {
  return node(K::Fma, {std::move(a), std::move(b), std::move(addend)});
}
ScalarExpr neg(ScalarExpr a) { return node(K::Neg, {std::move(a)}); }
ScalarExpr abs(ScalarExpr a) { return node(K::Abs, {std::move(a)}); }
ScalarExpr sqrt(ScalarExpr a) { return node(K::Sqrt, {std::move(a)}); }
ScalarExpr exp(ScalarExpr a) { return node(K::Exp, {std::move(a)}); }
ScalarExpr tanh(ScalarExpr a) { return node(K::Tanh, {std::move(a)}); }
ScalarExpr erfc_nonneg(ScalarExpr a) { return node(K::ErfcNonneg, {std::move(a)}); }
ScalarExpr select_negative(ScalarExpr x, ScalarExpr if_negative, ScalarExpr otherwise) {
  return node(K::SelectNegative, {std::move(x), std::move(if_negative), std::move(otherwise)});
}
}  // namespace sx

}  // namespace lmc::ir
