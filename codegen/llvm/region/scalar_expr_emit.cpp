#include "codegen/llvm/region/scalar_expr_emit.h"

#include "codegen/llvm/builder/llvm_math.h"
#include "support/error.h"

namespace lmc::codegen {

namespace {

using K = ir::ScalarExpr::Kind;

// A scalar as a value of `like`'s type.
llvm::Value* broadcast(Builder& b, llvm::Value* like, llvm::Value* scalar) {
  auto* v = llvm::dyn_cast<llvm::FixedVectorType>(like->getType());
  return v ? splat(b, v->getNumElements(), scalar) : scalar;
}

double attr_value(const ir::ScalarExpr& e, const ir::AttrMap* attrs) {
  auto it = attrs ? attrs->find(e.attr) : ir::AttrMap::const_iterator{};
  if (!attrs || it == attrs->end()) {
    if (e.has_default) return e.value;
    throw Error("codegen: error: expression " + e.str() + " needs attribute '" + e.attr + "'");
  }
  if (auto* i = std::get_if<int64_t>(&it->second)) return static_cast<double>(*i);
  if (auto* d = std::get_if<double>(&it->second)) return *d;
  throw Error("codegen: error: attribute '" + e.attr + "' must be a number");
}

llvm::Value* leaf(Builder& b, const ir::ScalarExpr& e, const ExprLeaves& l) {
  switch (e.kind) {
    case K::Input:
      return l.input(e.index);
    case K::Const:
      return f32_like(b, l.like, static_cast<float>(e.value));
    case K::Attr:
      return f32_like(b, l.like, static_cast<float>(attr_value(e, l.attrs)));
    case K::Count:
      return f32_like(b, l.like, l.count);
    case K::Acc:
      if (!l.acc) throw Error("codegen: error: 'acc' used outside a reduction's finish");
      return broadcast(b, l.like, l.acc);
    case K::Stat:
      if (!l.stats || e.index >= static_cast<int>(l.stats->size()))
        throw Error("codegen: error: stat" + std::to_string(e.index) + " is used before it is computed");
      return broadcast(b, l.like, (*l.stats)[e.index]);
    case K::Partner:
      if (!l.partner) throw Error("codegen: error: partner" + std::to_string(e.index) + " used outside a rotation");
      return l.partner(e.index);
    case K::Table:
      if (!l.table) throw Error("codegen: error: table" + std::to_string(e.index) + " used outside a rotation");
      return l.table(e.index);
    default:
      return nullptr;
  }
}

}  // namespace

llvm::Value* emit_scalar_expr(Builder& b, const ir::ScalarExpr& e, const ExprLeaves& l) {
  if (llvm::Value* v = leaf(b, e, l)) return v;
  std::vector<llvm::Value*> a;
  for (const auto& arg : e.args) a.push_back(emit_scalar_expr(b, arg, l));
  switch (e.kind) {
    case K::Add:
      return b.CreateFAdd(a[0], a[1]);
    case K::Sub:
      return b.CreateFSub(a[0], a[1]);
    case K::Mul:
      return b.CreateFMul(a[0], a[1]);
    case K::Div:
      return b.CreateFDiv(a[0], a[1]);
    case K::Max:
      return vmax(b, a[0], a[1]);
    case K::Min:
      return vmin(b, a[0], a[1]);
    case K::Fma:
      return fma(b, a[0], a[1], a[2]);
    case K::Neg:
      return b.CreateFNeg(a[0]);
    case K::Abs:
      return vabs(b, a[0]);
    case K::Sqrt:
      return vsqrt(b, a[0]);
    case K::Exp:
      return emit_exp(b, a[0]);
    case K::Tanh:
      return emit_tanh(b, a[0]);
    case K::ErfcNonneg:
      return emit_erfc_nonneg(b, a[0]);
    case K::SelectNegative:
      return b.CreateSelect(b.CreateFCmpOLT(a[0], f32_like(b, a[0], 0.0f)), a[1], a[2]);
    default:
      throw Error("codegen: error: malformed expression " + e.str());
  }
}

}  // namespace lmc::codegen
