#include "codegen/llvm/builder/llvm_math.h"

#include <llvm/IR/Intrinsics.h>

#include "support/error.h"

namespace lmc::codegen {

namespace {

unsigned lanes_of(llvm::Value* x) {
  auto* v = llvm::dyn_cast<llvm::FixedVectorType>(x->getType());
  return v ? v->getNumElements() : 0;
}

llvm::Value* horner(Builder& b, llvm::Value* x, std::initializer_list<float> coeffs_high_to_low) {
  llvm::Value* acc = nullptr;
  for (float c : coeffs_high_to_low) acc = acc ? fma(b, acc, x, f32_like(b, x, c)) : f32_like(b, x, c);
  return acc;
}

llvm::Type* int_like(Builder& b, llvm::Value* x) {
  unsigned n = lanes_of(x);
  return n ? static_cast<llvm::Type*>(llvm::FixedVectorType::get(b.getInt32Ty(), n)) : b.getInt32Ty();
}

// 2^n for whole numbers n in [-126, 127], built in the exponent bits.
llvm::Value* pow2(Builder& b, llvm::Value* n) {
  auto* ni = b.CreateFPToSI(n, int_like(b, n));
  auto* bits = b.CreateShl(b.CreateAdd(ni, llvm::ConstantInt::get(int_like(b, n), 127)), 23);
  return b.CreateBitCast(bits, n->getType());
}

// e^a - 1 for 0 <= a <= 80 without cancellation: a = n ln2 + r with |r| <= ln2/2, then
// e^a - 1 = 2^n (e^r - 1) + (2^n - 1), where n >= 0 makes 2^n - 1 exact up to 2^24 and
// negligible beyond; e^r - 1 = r + r^2 P(r), the Taylor series to r^8/8! (truncation
// below 1e-10 relative).
llvm::Value* expm1_nonneg(Builder& b, llvm::Value* a) {
  auto* n = b.CreateUnaryIntrinsic(llvm::Intrinsic::roundeven, b.CreateFMul(a, f32_like(b, a, 1.44269504088896341f)));
  auto* r = fma(b, n, f32_like(b, a, -0.693145751953125f), a);           // ln2 high part
  r = fma(b, n, f32_like(b, a, -1.428606765330187045e-06f), r);          // ln2 low part
  auto* p = horner(b, r, {1.0f / 40320, 1.0f / 5040, 1.0f / 720, 1.0f / 120, 1.0f / 24, 1.0f / 6, 0.5f});
  auto* em_r = fma(b, b.CreateFMul(r, r), p, r);
  auto* scale = pow2(b, n);
  return fma(b, scale, em_r, b.CreateFSub(scale, f32_like(b, a, 1.0f)));
}

}  // namespace

// erfc for z >= 0 as t*exp(-z^2 + P(t)), t = 1/(1+z/2): the Chebyshev fit with
// fractional error below 1.2e-7 everywhere (Numerical Recipes' erfcc).
llvm::Value* emit_erfc_nonneg(Builder& b, llvm::Value* z) {
  auto* one = f32_like(b, z, 1.0f);
  auto* t = b.CreateFDiv(one, fma(b, z, f32_like(b, z, 0.5f), one));
  auto* p = horner(b, t,
                   {0.17087277f, -0.82215223f, 1.48851587f, -1.13520398f, 0.27886807f, -0.18628806f, 0.09678418f,
                    0.37409196f, 1.00002368f, -1.26551223f});
  auto* arg = b.CreateFSub(p, b.CreateFMul(z, z));
  return b.CreateFMul(t, emit_exp(b, arg));
}

// exp(x) = 2^n * e^r with n = round(x / ln 2) and |r| <= ln2/2, e^r by a degree-7
// Taylor polynomial (truncation < 1e-8); 2^n is built in the exponent bits.
llvm::Value* emit_exp(Builder& b, llvm::Value* x) {
  auto* xc = vmin(b, vmax(b, x, f32_like(b, x, -87.3f)), f32_like(b, x, 88.3f));
  auto* n = b.CreateUnaryIntrinsic(llvm::Intrinsic::roundeven, b.CreateFMul(xc, f32_like(b, x, 1.44269504088896341f)));
  auto* r = fma(b, n, f32_like(b, x, -0.693145751953125f), xc);        // ln2 high part
  r = fma(b, n, f32_like(b, x, -1.428606765330187045e-06f), r);        // ln2 low part
  auto* p = horner(b, r, {1.0f / 5040, 1.0f / 720, 1.0f / 120, 1.0f / 24, 1.0f / 6, 0.5f, 1.0f, 1.0f});
  auto* y = b.CreateFMul(p, pow2(b, n));
  // Below the clamp the true value is (nearly) 0; this also makes exp(-inf) = 0.
  return b.CreateSelect(b.CreateFCmpOLT(x, f32_like(b, x, -87.3f)), f32_like(b, x, 0.0f), y);
}

// tanh|x| = m / (m + 2) with m = e^(2|x|) - 1 >= 0: no cancellation anywhere, so the
// error stays within a few ulp from subnormals to the range where it rounds to 1 (from
// |x| ~ 9; 2|x| is clamped at 40, which also serves x = ±inf). The sign is x's (-0 stays
// -0), and NaN stays NaN (the clamp alone would turn it into 1).
llvm::Value* emit_tanh(Builder& b, llvm::Value* x) {
  auto* a = vmin(b, b.CreateFMul(vabs(b, x), f32_like(b, x, 2.0f)), f32_like(b, x, 40.0f));
  auto* m = expm1_nonneg(b, a);
  auto* t = b.CreateFDiv(m, b.CreateFAdd(m, f32_like(b, x, 2.0f)));
  auto* signed_t = b.CreateBinaryIntrinsic(llvm::Intrinsic::copysign, t, x);
  return b.CreateSelect(b.CreateFCmpUNO(x, x), x, signed_t);
}

// x = k π/2 + r with |r| <= π/4 (π/2 in two parts, so r is exact to f64 rounding
// for any angle a model sees); Taylor series of sin r and cos r, whose truncation
// (< 2e-9 and < 2e-10 at π/4) is below f32 rounding; the quadrant k mod 4 picks
// and signs them.
SinCos emit_sincos_f64_to_f32(Builder& b, llvm::Value* x) {
  llvm::Type* t = x->getType();
  auto c = [&](double v) { return llvm::ConstantFP::get(t, v); };
  auto poly = [&](llvm::Value* v, std::initializer_list<double> high_to_low) {
    llvm::Value* acc = nullptr;
    for (double k : high_to_low) acc = acc ? fma(b, acc, v, c(k)) : c(k);
    return acc;
  };
  auto* k = b.CreateUnaryIntrinsic(llvm::Intrinsic::roundeven, b.CreateFMul(x, c(0.63661977236758134)));
  auto* r = fma(b, b.CreateFNeg(k), c(1.5707963267948966), x);
  r = fma(b, b.CreateFNeg(k), c(6.123233995736766e-17), r);
  auto* r2 = b.CreateFMul(r, r);
  auto* s = b.CreateFMul(r, poly(r2, {1.0 / 362880, -1.0 / 5040, 1.0 / 120, -1.0 / 6, 1.0}));
  auto* co = poly(r2, {-1.0 / 3628800, 1.0 / 40320, -1.0 / 720, 1.0 / 24, -0.5, 1.0});

  auto* vt = llvm::dyn_cast<llvm::FixedVectorType>(t);
  llvm::Type* it =
      vt ? static_cast<llvm::Type*>(llvm::FixedVectorType::get(b.getInt64Ty(), vt->getNumElements())) : b.getInt64Ty();
  auto* q = b.CreateFPToSI(k, it);
  auto bit = [&](llvm::Value* v, uint64_t m) {
    return b.CreateICmpNE(b.CreateAnd(v, llvm::ConstantInt::get(it, m)), llvm::ConstantInt::get(it, 0));
  };
  auto* odd = bit(q, 1);
  auto* sin = b.CreateSelect(odd, co, s);
  auto* cos = b.CreateSelect(odd, s, co);
  sin = b.CreateSelect(bit(q, 2), b.CreateFNeg(sin), sin);
  cos = b.CreateSelect(bit(b.CreateAdd(q, llvm::ConstantInt::get(it, 1)), 2), b.CreateFNeg(cos), cos);
  llvm::Type* ft = vt ? static_cast<llvm::Type*>(f32x(b, vt->getNumElements())) : b.getFloatTy();
  return {b.CreateFPTrunc(sin, ft), b.CreateFPTrunc(cos, ft)};
}

namespace {

llvm::Type* i64_like(Builder& b, llvm::Value* x) {
  unsigned n = lanes_of(x);
  return n ? static_cast<llvm::Type*>(llvm::FixedVectorType::get(b.getInt64Ty(), n)) : b.getInt64Ty();
}

llvm::Value* f64_poly(Builder& b, llvm::Value* x, std::initializer_list<double> high_to_low) {
  llvm::Value* acc = nullptr;
  for (double k : high_to_low)
    acc = acc ? fma(b, acc, x, llvm::ConstantFP::get(x->getType(), k)) : llvm::ConstantFP::get(x->getType(), k);
  return acc;
}

}  // namespace

// x = m 2^e with m in [sqrt(1/2), sqrt(2)) from the bits; ln m = 2 atanh(z), z = (m-1)/(m+1),
// |z| <= 0.172, whose odd series to z^21 leaves under 1e-17; ln 2 in two parts.
llvm::Value* emit_log_f64_at_least_one(Builder& b, llvm::Value* x) {
  llvm::Type* t = x->getType();
  llvm::Type* it = i64_like(b, x);
  auto c = [&](double v) { return llvm::ConstantFP::get(t, v); };
  auto ci = [&](uint64_t v) { return llvm::ConstantInt::get(it, v); };
  llvm::Value* bits = b.CreateBitCast(x, it);
  // Less sqrt(1/2)'s bits, the exponent field is e with x = m 2^e, m in [sqrt(1/2), sqrt(2)).
  const uint64_t kHalfSqrt2 = 0x3fe6a09e667f3bcdULL;
  llvm::Value* shifted = b.CreateSub(bits, ci(kHalfSqrt2));
  llvm::Value* e = b.CreateAShr(shifted, ci(52));
  llvm::Value* m = b.CreateBitCast(b.CreateSub(bits, b.CreateShl(e, ci(52))), t);
  llvm::Value* z = b.CreateFDiv(b.CreateFSub(m, c(1)), b.CreateFAdd(m, c(1)));
  llvm::Value* z2 = b.CreateFMul(z, z);
  llvm::Value* series = f64_poly(
      b, z2, {2.0 / 21, 2.0 / 19, 2.0 / 17, 2.0 / 15, 2.0 / 13, 2.0 / 11, 2.0 / 9, 2.0 / 7, 2.0 / 5, 2.0 / 3, 2.0});
  llvm::Value* ln_m = b.CreateFMul(z, series);
  llvm::Value* ef = b.CreateSIToFP(e, t);
  return fma(b, ef, c(0.6931471803691238), fma(b, ef, c(1.9082149292705877e-10), ln_m));
}

// x = n ln2 + r with |r| <= ln2/2 (ln 2 in two parts); e^r by its Taylor series to r^13/13!
// (truncation under 3e-17 relative); 2^n (n >= -1010) built in the exponent bits.
llvm::Value* emit_exp_f64_nonpositive(Builder& b, llvm::Value* x) {
  llvm::Type* t = x->getType();
  auto c = [&](double v) { return llvm::ConstantFP::get(t, v); };
  llvm::Value* n = b.CreateUnaryIntrinsic(llvm::Intrinsic::roundeven, b.CreateFMul(x, c(1.4426950408889634)));
  llvm::Value* r = fma(b, n, c(-0.6931471803691238), x);
  r = fma(b, n, c(-1.9082149292705877e-10), r);
  double f = 1;
  std::vector<double> coeffs;
  for (int k = 0; k <= 13; ++k) {
    coeffs.push_back(1 / f);
    f *= k + 1;
  }
  llvm::Value* p = nullptr;
  for (auto it = coeffs.rbegin(); it != coeffs.rend(); ++it) p = p ? fma(b, p, r, c(*it)) : c(*it);
  llvm::Type* it = i64_like(b, x);
  llvm::Value* scale_bits =
      b.CreateShl(b.CreateAdd(b.CreateFPToSI(n, it), llvm::ConstantInt::get(it, 1023)), llvm::ConstantInt::get(it, 52));
  return b.CreateFMul(p, b.CreateBitCast(scale_bits, t));
}

}  // namespace lmc::codegen
