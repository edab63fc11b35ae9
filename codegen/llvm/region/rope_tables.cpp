#include "codegen/llvm/region/rope_tables.h"

#include <llvm/IR/Function.h>
#include <llvm/IR/GlobalVariable.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/Module.h>

#include "codegen/llvm/builder/llvm_math.h"

namespace lmc::codegen {

namespace {

constexpr unsigned kAngleLanes = 4;  // f64 lanes when computing angles

// The pairs of a head, rounded up so that the angle table is computed in whole f64 vectors.
int64_t padded_pairs(const RopeShape& s) { return (s.pairs() + kAngleLanes - 1) / kAngleLanes * kAngleLanes; }

// The pairs' frequencies, in f64, zero-padded to whole vectors.
llvm::Value* frequency_table(llvm::Function& fn, const RopeShape& s) {
  std::vector<double> freq = rope_frequencies(s);
  freq.resize(static_cast<size_t>(padded_pairs(s)), 0.0);
  auto* init = llvm::ConstantDataArray::get(fn.getContext(), freq);
  return new llvm::GlobalVariable(*fn.getParent(), init->getType(), true, llvm::GlobalValue::PrivateLinkage, init,
                                  fn.getName() + ".freq");
}

// The frequencies divided by the factors operand's, into a stack table like the constant one.
llvm::Value* divided_frequencies(Builder& b, const RopeShape& s, llvm::Value* freq, llvm::Value* factors) {
  llvm::Value* table = stack_array(b, b.getDoubleTy(), padded_pairs(s));
  emit_for(b, i64c(b, 0), i64c(b, padded_pairs(s)), 1, [&](llvm::Value* i) {
    b.CreateStore(llvm::Constant::getNullValue(b.getDoubleTy()), elem_ptr(b, b.getDoubleTy(), table, i));
  });
  emit_for(b, i64c(b, 0), i64c(b, s.pairs()), 1, [&](llvm::Value* i) {
    auto* f = b.CreateLoad(b.getDoubleTy(), elem_ptr(b, b.getDoubleTy(), freq, i));
    auto* by = b.CreateFPExt(b.CreateLoad(b.getFloatTy(), f32_ptr(b, factors, i)), b.getDoubleTy());
    b.CreateStore(b.CreateFDiv(f, by), elem_ptr(b, b.getDoubleTy(), table, i));
  });
  return table;
}

llvm::Value* load_lanes(Builder& b, llvm::Value* table, llvm::Value* at, unsigned lanes) {
  llvm::Value* ptr = f32_ptr(b, table, at);
  return lanes == 1 ? b.CreateLoad(b.getFloatTy(), ptr) : load_f32x_n(b, ptr, lanes, nullptr);
}

}  // namespace

RopeTables rope_tables(Builder& b, llvm::Function& fn, const RopeShape& s, llvm::Value* factors) {
  RopeTables t;
  t.shape = s;
  t.freq = frequency_table(fn, s);
  if (factors) t.freq = divided_frequencies(b, s, t.freq, factors);
  int64_t len = s.neox ? padded_pairs(s) : 2 * padded_pairs(s);
  t.cos = stack_array(b, b.getFloatTy(), len);
  t.sin = stack_array(b, b.getFloatTy(), len);
  return t;
}

namespace {

// Dynamic NTK's per-pair exponent for the row at `position` (rope_shape.h:
// dynamic_exponent): dynamic_exponent · ln max(s, 1), splat; 0 up to original_context.
llvm::Value* dynamic_step(Builder& b, const RopeShape& s, llvm::Value* position) {
  auto c = [&](double v) { return llvm::ConstantFP::get(b.getDoubleTy(), v); };
  const RopeScaling& r = s.scaling;
  llvm::Value* len = b.CreateFAdd(b.CreateSIToFP(position, b.getDoubleTy()), c(1));
  llvm::Value* grown = fma(b, len, c(r.factor / r.original_context), c(1 - r.factor));
  llvm::Value* ln = emit_log_f64_at_least_one(b, b.CreateBinaryIntrinsic(llvm::Intrinsic::maxnum, grown, c(1)));
  return b.CreateVectorSplat(kAngleLanes, b.CreateFMul(ln, c(dynamic_exponent(s))));
}

// Pairs i .. i + 3's frequencies times e^(i' · step).
llvm::Value* dynamic_frequencies(Builder& b, llvm::Value* f, llvm::Value* step, llvm::Value* i) {
  std::vector<llvm::Constant*> lane;
  for (unsigned k = 0; k < kAngleLanes; ++k) lane.push_back(llvm::ConstantFP::get(b.getDoubleTy(), k));
  llvm::Value* index = b.CreateFAdd(b.CreateVectorSplat(kAngleLanes, b.CreateSIToFP(i, b.getDoubleTy())),
                                    llvm::ConstantVector::get(lane));
  return b.CreateFMul(f, emit_exp_f64_nonpositive(b, b.CreateFMul(index, step)));
}

}  // namespace

// Angles in f64, so long contexts stay accurate.
void fill_rope_tables(Builder& b, const RopeTables& t, llvm::Value* position) {
  const RopeShape& s = t.shape;
  auto* f64x = llvm::FixedVectorType::get(b.getDoubleTy(), kAngleLanes);
  auto* p = b.CreateVectorSplat(kAngleLanes, b.CreateSIToFP(position, b.getDoubleTy()));
  llvm::Value* step = s.scaling.kind == "dynamic" ? dynamic_step(b, s, position) : nullptr;
  emit_for(b, i64c(b, 0), i64c(b, padded_pairs(s)), kAngleLanes, [&](llvm::Value* i) {
    llvm::Value* f = b.CreateAlignedLoad(f64x, elem_ptr(b, b.getDoubleTy(), t.freq, i), llvm::Align(8));
    if (step) f = dynamic_frequencies(b, f, step, i);
    SinCos sc = emit_sincos_f64_to_f32(b, b.CreateFMul(p, f));
    if (s.attn_factor != 1) {
      auto* by = b.CreateVectorSplat(kAngleLanes, llvm::ConstantFP::get(b.getFloatTy(), s.attn_factor));
      sc.cos = b.CreateFMul(sc.cos, by);
      sc.sin = b.CreateFMul(sc.sin, by);
    }
    if (s.neox) {
      store_f32x(b, sc.cos, f32_ptr(b, t.cos, i));
      store_f32x(b, sc.sin, f32_ptr(b, t.sin, i));
      return;
    }
    auto* at = b.CreateMul(i, i64c(b, 2));
    store_f32x(b, b.CreateShuffleVector(sc.cos, {0, 0, 1, 1, 2, 2, 3, 3}), f32_ptr(b, t.cos, at));
    store_f32x(b, b.CreateShuffleVector(b.CreateFNeg(sc.sin), sc.sin, {0, 4, 1, 5, 2, 6, 3, 7}), f32_ptr(b, t.sin, at));
  });
}

RotationAt rotation_at(Builder& b, const RopeTables& t, llvm::Value* col, unsigned lanes) {
  const RopeShape& s = t.shape;
  llvm::Value* o = b.CreateURem(col, i64c(b, s.head_dim));
  RotationAt r{};
  r.rotates = b.CreateICmpULT(o, i64c(b, s.rotary_dim));
  // Past the rotary part the tables are not read: any in-range entry will do.
  llvm::Value* zero = i64c(b, 0);
  if (s.neox) {
    llvm::Value* half = i64c(b, s.pairs());
    llvm::Value* first = b.CreateICmpULT(o, half);
    llvm::Value* at = b.CreateSelect(first, o, b.CreateSelect(r.rotates, b.CreateSub(o, half), zero));
    r.cos = load_lanes(b, t.cos, at, lanes);
    llvm::Value* sn = load_lanes(b, t.sin, at, lanes);
    r.sin = b.CreateSelect(first, b.CreateFNeg(sn), sn);
    r.partner_shift = b.CreateSelect(first, half, b.CreateSelect(r.rotates, i64c(b, -s.pairs()), zero));
    r.swap_lanes = false;
    return r;
  }
  llvm::Value* at = b.CreateSelect(r.rotates, o, zero);
  r.cos = load_lanes(b, t.cos, at, lanes);
  r.sin = load_lanes(b, t.sin, at, lanes);
  llvm::Value* even = b.CreateICmpEQ(b.CreateAnd(o, i64c(b, 1)), zero);
  r.partner_shift = b.CreateSelect(r.rotates, b.CreateSelect(even, i64c(b, 1), i64c(b, -1)), zero);
  r.swap_lanes = lanes > 1;
  return r;
}

}  // namespace lmc::codegen
