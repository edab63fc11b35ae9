#include "runtime/step_rows.h"

#include <algorithm>
#include <string>

#include "ir/op_registry.h"
#include "support/error.h"

namespace lmc::runtime {

namespace {

// The value of the enclosing graph that `v`, read by an op `op` runs, stands for: a
// fusion's body argument is the fusion's operand.
const ir::Value* outer_value(const ir::Op& op, const ir::Value* v) {
  if (op.body() && !v->def()) return op.operand(static_cast<size_t>(v->index()));
  return v;
}

// Rows of the smallest table an op gathers from by the graph argument `ids`.
int64_t gathered_rows(const ir::Graph& g, const std::string& ids) {
  int64_t rows = INT32_MAX;
  for (const auto& op : g.ops())
    for (const ir::Op* inner : ir::ops_run_by(*op)) {
      if (!ir::traits(*inner).gathers_rows) continue;
      const ir::Value* v = outer_value(*op, inner->operand(1));
      if (v->name() == ids && !v->def())
        rows = std::min(
            rows, inner->has_attr("vocab") ? inner->attr_int("vocab") : inner->operand(0)->type().dims.at(0).value);
    }
  return rows;
}

[[noreturn]] void fail(int64_t row, const std::string& what) {
  throw Error("runtime: error: row " + std::to_string(row) + ": " + what);
}

// Each row's last key lies from its own position to its sequence's last row of the step
// (next_position holds one past it): keys the step writes before attention reads them.
void check_key_ends(const StepRows& rows, const std::vector<int32_t>& next_position) {
  for (int64_t t = 0; t < rows.T; ++t) {
    const int32_t e = rows.key_ends[t], p = rows.positions[t];
    const int32_t last = next_position[static_cast<size_t>(rows.seqs ? rows.seqs[t] : 0)] - 1;
    if (e < p || e > last)
      fail(t, "key end " + std::to_string(e) + " is outside its position " + std::to_string(p) + " .. " +
                  std::to_string(last) + ", the last of its sequence's rows in the step");
  }
}

}  // namespace

bool is_row_ids(const ir::Value& arg) {
  const std::string& n = arg.name();
  return !arg.def() && (n == "tokens" || n == "positions" || n == "seq" || n == "key_ends");
}

void check_row_arguments(const ir::Graph& g) {
  for (const auto& a : g.args())
    if (is_row_ids(*a) && !(a->type() == ir::Type{ir::DType::i32, {ir::Dim::symbolic(ir::Sym::T)}}))
      throw error_at(g.name(), "graph argument '%" + a->name() + "' must be i32[T], not " + a->type().str());
}

RowLimits row_limits(const ir::Graph& g, int64_t context, int64_t sequences) {
  return {gathered_rows(g, "tokens"), std::min(context, gathered_rows(g, "positions")), sequences};
}

void check_rows(const StepRows& rows, const RowLimits& limits, std::vector<int32_t>& next_position) {
  next_position.assign(static_cast<size_t>(limits.sequences), -1);
  for (int64_t t = 0; t < rows.T; ++t) {
    const int32_t s = rows.seqs ? rows.seqs[t] : 0;
    if (rows.tokens && (rows.tokens[t] < 0 || rows.tokens[t] >= limits.tokens))
      fail(t, "token id " + std::to_string(rows.tokens[t]) + " is outside the embedding table of " +
                  std::to_string(limits.tokens) + " rows");
    if (s < 0 || s >= limits.sequences)
      fail(t, "sequence " + std::to_string(s) + " is not one of the " + std::to_string(limits.sequences) +
                  " sequence slots");
    if (!rows.positions) continue;
    const int32_t p = rows.positions[t];
    if (p < 0 || p >= limits.positions)
      fail(t, "position " + std::to_string(p) + " does not fit the context of " + std::to_string(limits.positions) +
                  " tokens");
    int32_t& next = next_position[static_cast<size_t>(s)];
    if (next >= 0 && p != next)
      fail(t, "position " + std::to_string(p) + " of sequence " + std::to_string(s) +
                  " does not follow its previous row's (" + std::to_string(next - 1) + ")");
    next = p + 1;
  }
  if (rows.key_ends && rows.positions) check_key_ends(rows, next_position);
}

}  // namespace lmc::runtime
