#include "codegen/body_eval.h"

#include <limits>

#include "codegen/scalar_expr_emit.h"
#include "ir/error.h"
#include "ir/op_registry.h"

namespace lmc::codegen {

namespace {

[[noreturn]] void fail(const ir::Op& op, const std::string& what) {
  throw Error("codegen: error: " + op.where() + " in a fusion: " + what);
}

llvm::Value* load_lanes(Builder& b, llvm::Value* ptr, const RowPos& p) {
  if (p.lanes == 1) return b.CreateLoad(b.getFloatTy(), ptr);
  return load_f32x_n(b, ptr, p.lanes, p.count);
}

// Column offset of result `index` of a slicing view along the last axis.
int64_t split_offset(const ir::Op& split, int index) {
  int64_t rank = static_cast<int64_t>(split.operand(0)->type().rank());
  if (split.attr_int("axis") != rank - 1) fail(split, "only a slice along the last axis can be read in place");
  int64_t off = 0;
  for (int i = 0; i < index; ++i) off += split.attr_ints("sizes")[i];
  return off;
}

}  // namespace

BodyEval::BodyEval(Builder& b, const ir::Graph& body, std::vector<llvm::Value*> args, ir::Type row_type,
                   int64_t segment)
    : b_(b), body_(body), args_(std::move(args)), row_type_(std::move(row_type)), segment_(segment) {}

bool BodyEval::broadcast(const ir::Type& t) const { return t.rank() == 1 && !(t == row_type_); }

llvm::Value* BodyEval::address(llvm::Value* buffer, const ir::Type& t, const RowPos& p) {
  if (!broadcast(t)) return f32_ptr(b_, buffer, b_.CreateAdd(b_.CreateMul(p.row, i64c(b_, t.row_width())), p.col));
  // One row for every row: a whole-row vector by column, a group's by column in the group.
  bool per_group = t.dims[0].is_static() && t.dims[0].value == segment_ && segment_ != row_type_.row_width();
  return f32_ptr(b_, buffer, per_group ? b_.CreateSub(p.col, p.seg) : p.col);
}

llvm::Value* BodyEval::load(const ir::Value* arg, const RowPos& p) {
  if (arg->type().dtype != ir::DType::f32)
    throw Error("codegen: error: fusion argument %" + arg->name() + " must be f32 to be read per element, is " +
                arg->type().str());
  return load_lanes(b_, address(args_.at(arg->index()), arg->type(), p), p);
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

std::vector<const ir::Op*> BodyEval::reductions() const {
  std::vector<const ir::Op*> out;
  for (const auto& op : body_.ops())
    if (ir::is_role(*op, ir::OpRole::RowReduction)) out.push_back(op.get());
  return out;
}

std::vector<llvm::Value*> BodyEval::row_stats(const ir::Op& red, llvm::Value* row, llvm::Value* seg) {
  // 32 lanes: four independent ymm accumulators hide the add latency.
  constexpr unsigned kLanes = 32;
  const ir::RowReduction& def = ir::traits(red).reduction;
  std::vector<llvm::Value*>& stats = stats_[&red];
  stats.clear();
  for (const ir::ReductionStep& step : def.steps) {
    bool sum = step.combine == ir::Combine::Sum;
    float identity = sum ? 0.0f : -std::numeric_limits<float>::infinity();
    Carried acc = emit_chunks_carry(b_, segment_, kLanes, {splat_f32(b_, kLanes, identity)},
                                    [&](llvm::Value* i, llvm::Value* count, const Carried& cur) {
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
    llvm::Value* total = sum ? hsum(b_, acc[0]) : hmax(b_, acc[0]);
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
    llvm::Value* like = pos_.lanes == 1 ? static_cast<llvm::Value*>(f32c(e_.b_, 0))
                                        : splat_f32(e_.b_, pos_.lanes, 0);
    if (t.role == ir::OpRole::Elementwise) {
      out = emit_scalar_expr(e_.b_, t.expr, ExprLeaves{like, input, &op->attrs(), nullptr, nullptr, 0});
    } else if (t.role == ir::OpRole::RowReduction) {
      auto st = e_.stats_.find(op);
      if (st == e_.stats_.end()) fail(*op, "its row statistics were not computed before it is read");
      out = emit_scalar_expr(e_.b_, t.reduction.apply,
                             ExprLeaves{like, input, &op->attrs(), &st->second, nullptr, 0});
    } else if (t.slices) {
      RowPos at = pos_;
      at.col = e_.b_.CreateAdd(pos_.col, i64c(e_.b_, split_offset(*op, v->index())));
      at.seg = e_.b_.CreateAdd(pos_.seg, i64c(e_.b_, split_offset(*op, v->index())));
      Point inner(e_, at);
      out = inner.value(op->operand(0));
    } else {
      fail(*op, std::string("a ") + ir::role_name(t.role) + " cannot be computed per element here");
    }
  }
  memo_[v] = out;
  return out;
}

}  // namespace lmc::codegen
