// Patterns as data: a pass states the ops it looks for in the IR's own text form,
// with %names as captures, and the matcher finds them. For example
//
//   %g, %u = split %gu
//   %a = any(gelu, gelu_tanh, silu) %g
//   %m = mul %a, %u
//   %d = linear %m, %w
//
// matches a linear whose input is act(gate) * up of one split; the last line is the
// root. A name defined by a pattern line must be computed by a matching op; any other
// name captures whatever value is there (the same value wherever the name recurs).
// An op spec is a kind, or any(...) of kinds and roles (elementwise, row-reduction,
// anchor, view, region); `...` after the operands allows more; a line without
// operands accepts any. Commutative ops (the op table says which) match either
// operand order.
//
// A line whose results no other line reads is a root too: the last line is where the
// match starts, and each other root is found among the users of a value the lines
// before it bound, a different op for every line. Siblings that read one input:
//
//   %a = linear %x, %w1
//   %b = linear %x, %w2
//
// matches at either linear, the other being the first user of the same %x that matches.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ir/graph.h"

namespace lmc::passes {

struct Match {
  std::map<std::string, ir::Value*> values;  // every %name of the pattern
  std::map<std::string, ir::Op*> ops;        // each pattern line by its first result's name
  ir::Value* value(const std::string& name) const { return values.at(name); }
  ir::Op* op(const std::string& name) const { return ops.at(name); }
};

class OpPattern {
 public:
  // Throws lmc::Error naming the pattern line on a syntax error.
  explicit OpPattern(std::string_view text);
  ~OpPattern();
  OpPattern(OpPattern&&) noexcept;

  // A pattern of one root; one of several roots needs the graph to find the others
  // (match(g, root)), and throws without it.
  std::optional<Match> match(ir::Op* root) const;
  std::optional<Match> match(const ir::Graph& g, ir::Op* root) const;
  // Calls `on_match` for each op, in program order, at which the pattern matches; ops
  // a previous call rewrote away are skipped.
  int for_each(ir::Graph& g, const std::function<void(const Match&)>& on_match) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lmc::passes
