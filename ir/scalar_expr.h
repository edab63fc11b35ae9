// The per-element arithmetic of elementwise ops and row reductions, as data. The op
// table states each op's computation once in this small language; codegen turns any
// expression into vector instructions, so an op the table describes this way needs
// no emitter of its own, and a fusion region made of such ops compiles to one loop.
//
// Leaves: operand i of the op at the current element (`in(i)`; an operand shaped like
// one row broadcasts over rows), a float attribute (`attr`), a constant, a statistic
// of the current row computed by an earlier reduction step (`stat(j)`), and, inside a
// step's `finish`, the combined value (`acc`) and the row length (`count`); in a
// rotation's value (ir/op_traits.h: RowRotation), operand i at the element's pair partner
// (`partner(i)`) and the row's table j at the element (`table(j)`).
#pragma once
#include <string>
#include <vector>

namespace lmc::ir {

struct ScalarExpr {
  enum class Kind {
    Input,
    Attr,
    Const,
    Stat,
    Acc,
    Count,
    Partner,
    Table, // leaves
    Add,
    Sub,
    Mul,
    Div,
    Max,
    Min,
    Fma,
    Neg,
    Abs,
    Sqrt,    // arithmetic
    Exp,
    Tanh,
    ErfcNonneg,
    SelectNegative,                // transcendental, branch-free select
  };
  Kind kind = Kind::Const;
  int index = 0;            // Input, Stat, Partner, Table
  double value = 0.0;       // Const; the default of an optional Attr
  std::string attr;         // Attr
  bool has_default = false; // Attr
  std::vector<ScalarExpr> args;

  // "mul(in0, div(1, add(1, exp(neg(in0)))))": the form docs and `lmc opt --list-ops` show.
  std::string str() const;
  // Highest operand index read, or -1.
  int max_input() const;
};

// How a reduction step combines the per-element terms of a row.
enum class Combine { Sum, Max };

// One pass over a row: combine `term` over the elements, then `finish` the result
// (from acc and count) into stat(j) for later steps and for `apply`.
struct ReductionStep {
  Combine combine = Combine::Sum;
  ScalarExpr term;
  ScalarExpr finish;
};

// A row reduction: steps in order, then `apply` per element. The row is the group
// the op normalizes (`group_operand`'s length when set, otherwise the last dim).
struct RowReduction {
  std::vector<ReductionStep> steps;
  ScalarExpr apply;
  int group_operand = -1;
};

namespace sx {
ScalarExpr in(int i);
ScalarExpr attr(const std::string& name);
ScalarExpr attr_or(const std::string& name, double fallback);
ScalarExpr c(double v);
ScalarExpr stat(int j);
ScalarExpr acc();
ScalarExpr count();
ScalarExpr partner(int i);
ScalarExpr table(int j);
ScalarExpr add(ScalarExpr a, ScalarExpr b);
ScalarExpr sub(ScalarExpr a, ScalarExpr b);
ScalarExpr mul(ScalarExpr a, ScalarExpr b);
ScalarExpr div(ScalarExpr a, ScalarExpr b);
ScalarExpr max(ScalarExpr a, ScalarExpr b);
ScalarExpr min(ScalarExpr a, ScalarExpr b);
ScalarExpr fma(ScalarExpr a, ScalarExpr b, ScalarExpr addend);
ScalarExpr neg(ScalarExpr a);
ScalarExpr abs(ScalarExpr a);
ScalarExpr sqrt(ScalarExpr a);
ScalarExpr exp(ScalarExpr a);
ScalarExpr tanh(ScalarExpr a);
// erfc(a) for a >= 0
ScalarExpr erfc_nonneg(ScalarExpr a);
// x < 0 ? if_negative : otherwise
ScalarExpr select_negative(ScalarExpr x, ScalarExpr if_negative, ScalarExpr otherwise);
}  // namespace sx

}  // namespace lmc::ir
