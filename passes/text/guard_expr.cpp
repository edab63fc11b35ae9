#include "passes/text/guard_expr.h"

#include <variant>

namespace lmc::passes::text {

namespace {

using Sum = std::vector<std::pair<int, Term>>;
// A term's value, or why it has none on this match.
using Valued = std::variant<int64_t, std::string>;

Term parse_term(LineLexer& lx) {
  Term t;
  t.col = lx.peek().col;
  if (lx.peek().kind == TokenKind::Int) {
    t.value = lx.expect_int("an integer");
    return t;
  }
  if (lx.peek().kind == TokenKind::Capture) {
    t.kind = Term::Kind::Attr;
    t.capture = lx.expect_capture("a %capture");
    lx.expect(".", "'.' and an attribute after a capture");
    t.attr = lx.expect_word("an attribute name");
    if (lx.accept("[")) {
      t.index = lx.expect_int("a list index");
      lx.expect("]", "']'");
    }
    return t;
  }
  std::string fn = lx.expect_word("an integer, %v.attr, rank(%v) or dim(%v, i)");
  if (fn != "rank" && fn != "dim") lx.fail_at(t.col, "unknown function '" + fn + "' (rank, dim)");
  t.kind = fn == "rank" ? Term::Kind::Rank : Term::Kind::Dim;
  lx.expect("(", "'('");
  t.capture = lx.expect_capture("a %capture");
  if (t.kind == Term::Kind::Dim) {
    lx.expect(",", "',' and a dim index");
    bool negative = lx.accept("-");
    t.value = lx.expect_int("a dim index");
    if (negative) t.value = -t.value;
  }
  lx.expect(")", "')'");
  return t;
}

Sum parse_sum(LineLexer& lx) {
  Sum s;
  int sign = lx.accept("-") ? -1 : 1;
  s.emplace_back(sign, parse_term(lx));
  while (true) {
    if (lx.accept("+"))
      sign = 1;
    else if (lx.accept("-"))
      sign = -1;
    else
      return s;
    s.emplace_back(sign, parse_term(lx));
  }
}

Valued attr_value(const Term& t, const ir::Op& op, const std::string& shown) {
  auto it = op.attrs().find(t.attr);
  if (it == op.attrs().end()) return shown + " has no attribute '" + t.attr + "'";
  if (const auto* i = std::get_if<int64_t>(&it->second)) {
    if (t.index) return shown + "." + t.attr + " is not a list";
    return *i;
  }
  const auto* list = std::get_if<std::vector<int64_t>>(&it->second);
  if (!list) return shown + "." + t.attr + " is not an integer";
  if (!t.index) return shown + "." + t.attr + " is a list: index it";
  if (*t.index >= static_cast<int64_t>(list->size()))
    return shown + "." + t.attr + " has no element " + std::to_string(*t.index);
  return (*list)[static_cast<size_t>(*t.index)];
}

Valued term_value(const Term& t, const Match& m) {
  if (t.kind == Term::Kind::Literal) return t.value;
  const ir::Value* v = m.value(t.capture);
  std::string shown = "%" + v->name();
  if (t.kind == Term::Kind::Attr)
    return v->def() ? attr_value(t, *v->def(), shown) : Valued(shown + " is not computed by an op");
  int64_t rank = static_cast<int64_t>(v->type().rank());
  if (t.kind == Term::Kind::Rank) return rank;
  int64_t i = t.value < 0 ? rank + t.value : t.value;
  if (i < 0 || i >= rank) return shown + " has no dim " + std::to_string(t.value);
  const ir::Dim& d = v->type().dims[static_cast<size_t>(i)];
  if (d.sym) return shown + "'s dim " + std::to_string(t.value) + " is symbolic";
  return d.value;
}

Valued sum_value(const Sum& s, const Match& m) {
  int64_t total = 0;
  for (const auto& [sign, term] : s) {
    Valued v = term_value(term, m);
    if (const auto* why = std::get_if<std::string>(&v)) return *why;
    int64_t x = std::get<int64_t>(v);
    bool wrapped = sign > 0 ? __builtin_add_overflow(total, x, &total) : __builtin_sub_overflow(total, x, &total);
    if (wrapped) return std::string("the sum overflows");
  }
  return total;
}

bool compare(int64_t a, const std::string& op, int64_t b) {
  if (op == "==") return a == b;
  if (op == "!=") return a != b;
  if (op == "<") return a < b;
  if (op == "<=") return a <= b;
  if (op == ">") return a > b;
  return a >= b;
}

}  // namespace

Comparison parse_comparison(LineLexer& lx) {
  Comparison c;
  c.lhs_ = parse_sum(lx);
  int col = lx.peek().col;
  for (const char* op : {"==", "!=", "<=", ">=", "<", ">"})
    if (lx.accept(op)) {
      c.op_ = op;
      break;
    }
  if (c.op_.empty()) lx.fail_at(col, "expected a comparison (== != < <= > >=)");
  c.rhs_ = parse_sum(lx);
  return c;
}

std::string Comparison::evaluate(const Match& m) const {
  Valued a = sum_value(lhs_, m);
  if (const auto* why = std::get_if<std::string>(&a)) return *why;
  Valued b = sum_value(rhs_, m);
  if (const auto* why = std::get_if<std::string>(&b)) return *why;
  return compare(std::get<int64_t>(a), op_, std::get<int64_t>(b)) ? "" : "is false";
}

std::vector<Term> Comparison::attribute_terms() const {
  std::vector<Term> out;
  for (const auto* side : {&lhs_, &rhs_})
    for (const auto& [sign, t] : *side)
      if (t.kind == Term::Kind::Attr) out.push_back(t);
  return out;
}

std::vector<std::pair<std::string, int>> Comparison::captures() const {
  std::vector<std::pair<std::string, int>> out;
  for (const Sum* s : {&lhs_, &rhs_})
    for (const auto& [sign, t] : *s)
      if (t.kind != Term::Kind::Literal) out.emplace_back(t.capture, t.col);
  return out;
}

}  // namespace lmc::passes::text
