#include "ir/fusion_region.h"

#include "ir/op_registry.h"
#include "support/error.h"

namespace lmc::ir {

namespace {

struct Reject {
  std::string why;
};

void collect_producers(const Value* v, std::set<const Op*>& out) {
  const Op* op = v->def();
  if (!op || !out.insert(op).second) return;
  for (const Value* o : op->operands()) collect_producers(o, out);
}

// A slice is read in place as a column offset into [rows, width] values.
bool per_element(const Op& op, bool reductions_allowed) {
  const OpTraits& t = traits(op);
  bool column_slice = t.slices && op.operand(0)->type().rank() == 2;
  return t.role == OpRole::Elementwise || column_slice || (reductions_allowed && t.role == OpRole::RowReduction);
}

// A slice of the last axis of [R, k, N] values (an experts' gate and up): a chain's loop
// walks the flattened row, each column read from its group of the whole's row. An anchor's
// prologue or epilogue walks rows its kernel lays out, so only a chain reads one.
bool group_slice(const Op& op) {
  int64_t rank = static_cast<int64_t>(op.operand(0)->type().rank());
  return traits(op).slices && rank > 2 && op.attr_int("axis") == rank - 1;
}

// A rotation in a loop over rows: its row ids and factors are read as given, whole, so they
// must be region arguments; its pairs must lie inside the region's reduction groups.
void check_rotation(const Op& op, int64_t segment) {
  const RowRotation& rot = traits(op).rotation;
  for (int k : {rot.row_ids, rot.factors})
    if (static_cast<size_t>(k) < op.operands().size() && op.operand(static_cast<size_t>(k))->def())
      throw Reject{op.where() + ": operand " + std::to_string(k) + " must be a region argument"};
  int64_t group = op.attr_int("head_dim");
  if (group <= 0 || segment % group)
    throw Reject{op.where() + ": its heads of " + std::to_string(group) + " columns straddle the region's groups of " +
                 std::to_string(segment)};
}

int64_t row_width(const Type& t) {
  try {
    return t.row_width();
  } catch (const Error& e) {
    throw Reject{e.what()};
  }
}

// The columns a reduction normalizes together: its group operand's length, or the row.
int64_t group_of(const Op& op, int64_t width) {
  int g = traits(op).reduction.group_operand;
  if (g < 0) return width;
  const Type& t = op.operand(g)->type();
  if (t.rank() != 1 || !t.dims[0].is_static() || t.dims[0].value <= 0 || width % t.dims[0].value)
    throw Reject{op.where() + ": group " + t.str() + " does not divide the row of " + std::to_string(width)};
  return t.dims[0].value;
}

void chain(const Graph& body, RegionShape& r) {
  r.row_type = body.outputs().at(0)->type();
  int64_t width = row_width(r.row_type);
  bool group_slices = false;
  for (const auto& op : body.ops()) {
    group_slices = group_slices || group_slice(*op);
    if (!per_element(*op, true) && !is_role(*op, OpRole::Rotation) && !group_slice(*op))
      throw Reject{op->where() + " cannot run in a loop over elements"};
    if (!is_role(*op, OpRole::RowReduction)) continue;
    int64_t g = group_of(*op, width);
    if (r.segment && g != r.segment)
      throw Reject{op->where() + ": row reductions of different group lengths in one region (" + std::to_string(g) +
                   " here, " + std::to_string(r.segment) + " before)"};
    r.segment = g;
  }
  if (group_slices && r.segment) throw Reject{"a slice of [R, k, N] values beside a row reduction"};
  if (!r.segment) r.segment = width;
  for (const auto& op : body.ops())
    if (is_role(*op, OpRole::Rotation)) check_rotation(*op, r.segment);
  for (const Value* y : body.outputs())
    if (!(y->type() == r.row_type))
      throw Reject{"yields of different types: " + y->type().str() + " vs " + r.row_type.str()};
  if (r.row_type.dtype != DType::f32) throw Reject{"an elementwise region computes f32, not " + r.row_type.str()};
}

void anchored(const Graph& body, RegionShape& r) {
  const Op& a = *r.anchor;
  if (!traits(a).epilogue) throw Reject{a.where() + ": its kernel takes no epilogue"};
  for (size_t i = 1; i < a.operands().size(); ++i)
    if (a.operand(i)->def()) throw Reject{a.where() + ": operand " + std::to_string(i) + " must be a region argument"};
  collect_producers(a.operand(0), r.prologue);
  if (!r.prologue.empty() && !traits(a).input_prologue) throw Reject{a.where() + " takes no prologue"};
  // A prologue walks the anchor's input rows; an epilogue alone, its result's.
  r.row_type = traits(a).input_prologue ? a.operand(0)->type() : a.result()->type();
  r.segment = row_width(r.row_type);
  for (const Op* op : r.prologue) {
    if (!per_element(*op, true)) throw Reject{op->where() + " cannot be computed as the anchor loads its input"};
    if (is_role(*op, OpRole::RowReduction) && group_of(*op, r.segment) != r.segment)
      throw Reject{op->where() + " normalizes groups, not the whole row the anchor reads"};
  }
  for (const Value* y : body.outputs()) {
    std::set<const Op*> deps;
    collect_producers(y, deps);
    if (!deps.count(&a)) throw Reject{"yield %" + y->name() + " does not depend on the anchor " + a.where()};
    for (const Op* op : deps)
      if (!r.prologue.count(op) && op != &a) r.epilogue.insert(op);
  }
  for (const auto& op : body.ops())
    if (op.get() != &a && !r.prologue.count(op.get()) && !r.epilogue.count(op.get()))
      throw Reject{op->where() + " is neither before nor after the anchor"};
  for (const Op* op : r.epilogue)
    if (!per_element(*op, false))
      throw Reject{op->where() + " cannot be applied to the anchor's output element by element"};
}

}  // namespace

RegionShape region_shape(const Graph& body, std::string* error) {
  RegionShape r;
  try {
    if (body.outputs().empty()) throw Reject{"the region yields nothing"};
    for (const auto& op : body.ops()) {
      if (!is_role(*op, OpRole::Anchor)) continue;
      if (r.anchor)
        throw Reject{"a region has at most one anchor, this one " + r.anchor->where() + " and " + op->where()};
      r.anchor = op.get();
    }
    r.anchor ? anchored(body, r) : chain(body, r);
    error->clear();
  } catch (const Reject& e) {
    *error = e.why;
  }
  return r;
}

}  // namespace lmc::ir
