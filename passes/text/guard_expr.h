// The integer comparisons of guard `holds`: attribute comparisons and shape relations
// over a match, such as `%g.axis == rank(%gu) - 1` or `%g.sizes[0] == %g.sizes[1]`.
// A term that has no value on this match (an attribute the op lacks, a symbolic dim, an
// index past a list) makes the guard refuse, saying which; sums never wrap.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "passes/api/op_pattern.h"
#include "passes/text/line_lexer.h"

namespace lmc::passes::text {

struct Term {
  enum class Kind { Literal, Attr, Rank, Dim } kind = Kind::Literal;
  int64_t value = 0;                 // Literal; Dim's index
  std::string capture, attr;         // Attr, Rank, Dim
  std::optional<int64_t> index;      // Attr of a list: its element
  int col = 0;
};

class Comparison {
 public:
  // "" when the comparison is true, else why not ("is false", or the term without a value).
  std::string evaluate(const Match& m) const;
  // Each capture a term reads, with its column.
  std::vector<std::pair<std::string, int>> captures() const;
  // The %capture.attr terms.
  std::vector<Term> attribute_terms() const;

 private:
  friend Comparison parse_comparison(LineLexer& lx);
  std::vector<std::pair<int, Term>> lhs_, rhs_;  // each term with its sign
  std::string op_;
};

Comparison parse_comparison(LineLexer& lx);

}  // namespace lmc::passes::text
