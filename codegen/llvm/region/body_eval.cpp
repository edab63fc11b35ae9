#include "codegen/llvm/region/body_eval.h"

#include <limits>

#include "codegen/describe_op.h"
#include "codegen/llvm/region/scalar_expr_emit.h"
#include "ir/op_registry.h"
#include "support/error.h"

namespace lmc::codegen {

namespace {

[[noreturn]] void fail(const ir::Op& op, const std::string& what) {
  throw Error("codegen: error: " + op.where() + " in a fusion: " + what);
}

llvm::Value* load_lanes(Builder& b, llvm::Value* ptr, const RowPos& p) {
  if (p.lanes == 1) return b.CreateLoad(b.getFloatTy(), ptr);
  return load_f32x_n(b, ptr, p.lanes, p.count);
}

// Where column `col` of result `index` of a slicing view along the last axis lies in the
// sliced value's row: past the slices before it, and of [R, k, N] values (a row of k
// groups) in its group, col / n, of the whole's N.
llvm::Value* slice_column(Builder& b, const ir::Op& split, int index, llvm::Value* col) {
  const ir::Type& whole = split.operand(0)->type();
  int64_t rank = static_cast<int64_t>(whole.rank());
  if (split.attr_int("axis") != rank - 1) fail(split, "only a slice along the last axis can be read in place");
  int64_t off = 0;
  for (int i = 0; i < index; ++i) off += split.attr_ints("sizes")[i];
  if (rank == 2) return b.CreateAdd(col, i64c(b, off));
  llvm::Value* n = i64c(b, split.attr_ints("sizes")[static_cast<size_t>(index)]);
  llvm::Value* group_start = b.CreateMul(b.CreateUDiv(col, n), i64c(b, whole.dims.back().value));
  return b.CreateAdd(group_start, b.CreateAdd(b.CreateURem(col, n), i64c(b, off)));
}

}  // namespace

BodyEval::BodyEval(Builder& b, const ir::Graph& body, std::vector<llvm::Value*> args, ir::Type row_type,
                   int64_t segment, unsigned lanes)
    : b_(b), body_(body), args_(std::move(args)), row_type_(std::move(row_type)), segment_(segment), lanes_(lanes) {}

// A rotation's row ids and factors are region arguments (ir/fusion_region.h), read whole.
llvm::Value* BodyEval::argument(const ir::Op& op, int k) {
  const ir::Value* v = op.operand(static_cast<size_t>(k));
  if (v->def()) fail(op, "operand " + std::to_string(k) + " must be a region argument");
  return args_.at(v->index());
}

void BodyEval::prepare_rotations(llvm::Function& fn) {
  for (const auto& op : body_.ops()) {
    if (!ir::is_role(*op, ir::OpRole::Rotation)) continue;
    int factors = ir::traits(*op).rotation.factors;
    llvm::Value* f = op->operands().size() > static_cast<size_t>(factors) ? argument(*op, factors) : nullptr;
    tables_[op.get()] = rope_tables(b_, fn, rope_shape(describe(*op)), f);
  }
}

// In the body's order, so that the same region always gives the same code.
void BodyEval::fill_rotations(llvm::Value* row) {
  for (const auto& op : body_.ops())
    if (auto it = tables_.find(op.get()); it != tables_.end())
      fill_rope_tables(b_, it->second, i32_at(b_, argument(*op, ir::traits(*op).rotation.row_ids), row));
}

bool BodyEval::broadcast(const ir::Type& t) const { return t.rank() == 1 && !(t == row_type_); }

bool BodyEval::column(const ir::Type& t) const {
  return t.rank() == 2 && t.dims[1].is_static() && t.dims[1].value == 1 && !(t == row_type_);
}

llvm::Value* BodyEval::address(llvm::Value* buffer, const ir::Type& t, const RowPos& p) {
  if (column(t)) return f32_ptr(b_, buffer, p.row);
  if (!broadcast(t)) return f32_ptr(b_, buffer, b_.CreateAdd(b_.CreateMul(p.row, i64c(b_, t.row_width())), p.col));
  // One row for every row: a whole-row vector by column, a group's by column in the group.
  bool per_group = t.dims[0].is_static() && t.dims[0].value == segment_ && segment_ != row_type_.row_width();
  return f32_ptr(b_, buffer, per_group ? b_.CreateSub(p.col, p.seg) : p.col);
}

llvm::Value* BodyEval::load(const ir::Value* arg, const RowPos& p) {
  if (arg->type().dtype != ir::DType::f32)
    throw Error("codegen: error: fusion argument %" + arg->name() + " must be f32 to be read per element, is " +
                arg->type().str());
  llvm::Value* ptr = address(args_.at(arg->index()), arg->type(), p);
  if (!column(arg->type())) return load_lanes(b_, ptr, p);
  llvm::Value* v = b_.CreateLoad(b_.getFloatTy(), ptr);
  return p.lanes == 1 ? v : splat(b_, p.lanes, v);
}

void BodyEval::store(llvm::Value* buffer, const ir::Type& type, const RowPos& p, llvm::Value* value) {
  llvm::Value* ptr = address(buffer, type, p);
  if (p.lanes == 1) {
    b_.CreateStore(value, ptr);
    return;
  }
  store_f32x_n(b_, value, ptr, p.count);
}

void BodyEval::set_stats(const ir::Op* reduction, std::vector<llvm::Value*> stats) {
  stats_[reduction] = std::move(stats);
}

bool BodyEval::reads_rotation(const ir::Op& op) const {
  for (const ir::Value* v : op.operands())
    if (v->def() && (ir::is_role(*v->def(), ir::OpRole::Rotation) || reads_rotation(*v->def()))) return true;
  return false;
}

std::vector<const ir::Op*> BodyEval::reductions() const {
  std::vector<const ir::Op*> out;
  for (const auto& op : body_.ops())
    if (ir::is_role(*op, ir::OpRole::RowReduction)) out.push_back(op.get());
  return out;
}

std::vector<llvm::Value*> BodyEval::row_stats(const ir::Op& red, llvm::Value* row, llvm::Value* seg) {
  // 32 lanes, four independent ymm accumulators, hide the add latency; a statistic of a
  // rotated value steps as the rotation must (a scalar when its pairs are that narrow).
  const unsigned kLanes = reads_rotation(red) ? lanes_ : 32;
  auto splat_identity = [&](float identity) -> llvm::Value* {
    return kLanes == 1 ? static_cast<llvm::Value*>(f32c(b_, identity)) : splat_f32(b_, kLanes, identity);
  };
  const ir::RowReduction& def = ir::traits(red).reduction;
  std::vector<llvm::Value*>& stats = stats_[&red];
  stats.clear();
  for (const ir::ReductionStep& step : def.steps) {
    bool sum = step.combine == ir::Combine::Sum;
    float identity = sum ? 0.0f : -std::numeric_limits<float>::infinity();
    Carried acc = emit_chunks_carry(
        b_, segment_, kLanes, {splat_identity(identity)}, [&](llvm::Value* i, llvm::Value* count, const Carried& cur) {
          Point pt(*this, RowPos{row, seg, b_.CreateAdd(seg, i), kLanes, count});
          ExprLeaves leaves{cur[0], [&](int k) { return pt.value(red.operand(k)); }, &red.attrs(), &stats, nullptr, 0};
          auto mask = [&](llvm::Value* v) {
            return count ? b_.CreateSelect(lane_mask(b_, kLanes, count), v, splat_f32(b_, kLanes, identity)) : v;
          };
      // A sum of products accumulates with one fma per element.
          if (sum && step.term.kind == ir::ScalarExpr::Kind::Mul) {
            auto* x = mask(emit_scalar_expr(b_, step.term.args[0], leaves));
            return Carried{fma(b_, x, emit_scalar_expr(b_, step.term.args[1], leaves), cur[0])};
          }
          auto* t = mask(emit_scalar_expr(b_, step.term, leaves));
          return Carried{sum ? b_.CreateFAdd(cur[0], t) : vmax(b_, cur[0], t)};
        });
    llvm::Value* total = kLanes == 1 ? acc[0] : sum ? hsum(b_, acc[0]) : hmax(b_, acc[0]);
    ExprLeaves fin{total, nullptr, &red.attrs(), &stats, total, static_cast<float>(segment_)};
    stats.push_back(emit_scalar_expr(b_, step.finish, fin));
  }
  return stats;
}

llvm::Value* BodyEval::Point::value(const ir::Value* v) {
  auto it = memo_.find(v);
  if (it != memo_.end()) return it->second;
  llvm::Value* out = nullptr;
  const ir::Op* op = v->def();
  if (!op) {
    out = e_.load(v, pos_);
  } else {
    const ir::OpTraits& t = ir::traits(*op);
    auto input = [&](int k) { return value(op->operand(k)); };
    llvm::Value* like = pos_.lanes == 1 ? static_cast<llvm::Value*>(f32c(e_.b_, 0)) : splat_f32(e_.b_, pos_.lanes, 0);
    if (t.role == ir::OpRole::Elementwise) {
      out = emit_scalar_expr(e_.b_, t.expr, ExprLeaves{like, input, &op->attrs(), nullptr, nullptr, 0});
    } else if (t.role == ir::OpRole::RowReduction) {
      auto st = e_.stats_.find(op);
      if (st == e_.stats_.end()) fail(*op, "its row statistics were not computed before it is read");
      out = emit_scalar_expr(e_.b_, t.reduction.apply, ExprLeaves{like, input, &op->attrs(), &st->second, nullptr, 0});
    } else if (t.role == ir::OpRole::Rotation) {
      out = rotate(*op);
    } else if (t.slices) {
      RowPos at = pos_;
      at.col = slice_column(e_.b_, *op, v->index(), pos_.col);
      at.seg = slice_column(e_.b_, *op, v->index(), pos_.seg);
      Point inner(e_, at);
      out = inner.value(op->operand(0));
    } else {
      fail(*op, std::string("a ") + ir::role_name(t.role) + " cannot be computed per element here");
    }
  }
  memo_[v] = out;
  return out;
}

// The op table's value with the element's partner (computed at its column, or the
// neighbouring lane) and the row's tables; columns past the rotary part keep in(0).
llvm::Value* BodyEval::Point::rotate(const ir::Op& op) {
  auto tab = e_.tables_.find(&op);
  if (tab == e_.tables_.end()) fail(op, "its row tables were not filled before it is read");
  Builder& b = e_.b_;
  RotationAt at = rotation_at(b, tab->second, pos_.col, pos_.lanes);
  auto input = [&](int k) { return value(op.operand(static_cast<size_t>(k))); };
  auto partner = [&](int k) -> llvm::Value* {
    if (at.swap_lanes) {
      std::vector<int> swap;
      for (unsigned i = 0; i < pos_.lanes; ++i) swap.push_back(static_cast<int>(i ^ 1u));
      return b.CreateShuffleVector(input(k), swap);
    }
    RowPos there = pos_;
    there.col = b.CreateAdd(pos_.col, at.partner_shift);
    Point other(e_, there);
    return other.value(op.operand(static_cast<size_t>(k)));
  };
  auto table = [&](int j) -> llvm::Value* {
    if (j > 1) fail(op, "a rotation has tables 0 (cos) and 1 (sin), not " + std::to_string(j));
    return j == 0 ? at.cos : at.sin;
  };
  llvm::Value* like = pos_.lanes == 1 ? static_cast<llvm::Value*>(f32c(b, 0)) : splat_f32(b, pos_.lanes, 0);
  llvm::Value* out = emit_scalar_expr(b, ir::traits(op).rotation.value,
                                      ExprLeaves{like, input, &op.attrs(), nullptr, nullptr, 0, partner, table});
  const RopeShape& s = tab->second.shape;
  return s.rotary_dim < s.head_dim ? b.CreateSelect(at.rotates, out, input(0)) : out;
}

}  // namespace lmc::codegen
