// rope(x[R, H*hd], positions[R][, factors[rd/2]]) -> y: rotates pairs of the first rd
// (rotary_dim, hd unless partial) features of each head by the angle p * f_i for pair i
// at row r's absolute position p = positions[r], f_i = base^(-2i/rd) as the op's scaling
// leaves it (rope_shape.h), divided by factors[i] when the op has them (once per call,
// into the call's own table), cos and sin times attn_factor (YaRN, longrope); features
// rd .. hd pass through. Style "neox" pairs i with
// i + rd/2 (HF, GPT-NeoX); "normal" pairs 2i with 2i+1 (GGUF Llama, whose q/k weights
// llama.cpp permutes). The row's cos/sin table is computed once (angles
// in f64, so long contexts stay accurate) and applied to all H heads. Each chunk
// loads both members of its pairs before storing, so y may alias x. Work items: rows.
#include <cmath>

#include <llvm/IR/Function.h>
#include <llvm/IR/GlobalVariable.h>
#include <llvm/IR/Module.h>

#include "codegen/emitter.h"
#include "codegen/llvm_math.h"
#include "codegen/rope_shape.h"

namespace lmc::codegen {

namespace {

constexpr unsigned kLanes = 8;       // f32 lanes when rotating
constexpr unsigned kAngleLanes = 4;  // f64 lanes when computing angles

// The pairs of a head, rounded up so that the angle table is computed in whole f64
// vectors.
int64_t padded_pairs(const RopeShape& s) { return (s.pairs() + kAngleLanes - 1) / kAngleLanes * kAngleLanes; }

// The pairs' frequencies, in f64, zero-padded to whole vectors.
llvm::Value* frequency_table(llvm::Function& fn, const RopeShape& s) {
  std::vector<double> freq = rope_frequencies(s);
  freq.resize(static_cast<size_t>(padded_pairs(s)), 0.0);
  auto* init = llvm::ConstantDataArray::get(fn.getContext(), freq);
  return new llvm::GlobalVariable(*fn.getParent(), init->getType(), true, llvm::GlobalValue::PrivateLinkage,
                                  init, fn.getName() + ".freq");
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

// Per row: cos and sin of the pair angles. neox keeps one entry per pair; normal
// stores them interleaved as each feature needs them: cos at 2i and 2i+1, -sin at
// 2i and +sin at 2i+1, so y = x * cos + swap_pairs(x) * sin.
struct AngleTable {
  llvm::Value* cos;
  llvm::Value* sin;
};

void fill_angles(Builder& b, const RopeShape& s, llvm::Value* freq, llvm::Value* position, const AngleTable& t) {
  auto* f64x = llvm::FixedVectorType::get(b.getDoubleTy(), kAngleLanes);
  auto* p = b.CreateVectorSplat(kAngleLanes, b.CreateSIToFP(position, b.getDoubleTy()));
  emit_for(b, i64c(b, 0), i64c(b, padded_pairs(s)), kAngleLanes, [&](llvm::Value* i) {
    auto* f = b.CreateAlignedLoad(f64x, elem_ptr(b, b.getDoubleTy(), freq, i), llvm::Align(8));
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

void rotate_neox(Builder& b, const RopeShape& s, const AngleTable& t, llvm::Value* x, llvm::Value* y) {
  auto* half = i64c(b, s.pairs());
  emit_chunks(b, i64c(b, 0), half, kLanes, [&](llvm::Value* i, llvm::Value* count) {
    auto* c = load_f32x_n(b, f32_ptr(b, t.cos, i), kLanes, count);
    auto* sn = load_f32x_n(b, f32_ptr(b, t.sin, i), kLanes, count);
    auto* i2 = b.CreateAdd(i, half);
    auto* x1 = load_f32x_n(b, f32_ptr(b, x, i), kLanes, count);
    auto* x2 = load_f32x_n(b, f32_ptr(b, x, i2), kLanes, count);
    store_f32x_n(b, fma(b, x1, c, b.CreateFNeg(b.CreateFMul(x2, sn))), f32_ptr(b, y, i), count);
    store_f32x_n(b, fma(b, x2, c, b.CreateFMul(x1, sn)), f32_ptr(b, y, i2), count);
  });
}

void rotate_normal(Builder& b, const RopeShape& s, const AngleTable& t, llvm::Value* x, llvm::Value* y) {
  // Chunks start at multiples of 8 and rotary_dim is even, so pairs never straddle a chunk.
  emit_chunks(b, i64c(b, 0), i64c(b, s.rotary_dim), kLanes, [&](llvm::Value* i, llvm::Value* count) {
    auto* v = load_f32x_n(b, f32_ptr(b, x, i), kLanes, count);
    auto* swapped = b.CreateShuffleVector(v, {1, 0, 3, 2, 5, 4, 7, 6});
    auto* c = load_f32x_n(b, f32_ptr(b, t.cos, i), kLanes, count);
    auto* sn = load_f32x_n(b, f32_ptr(b, t.sin, i), kLanes, count);
    store_f32x_n(b, fma(b, v, c, b.CreateFMul(swapped, sn)), f32_ptr(b, y, i), count);
  });
}

// A partial rotary's features rd .. hd of a head, unchanged (y may be x).
void pass_through(Builder& b, const RopeShape& s, llvm::Value* x, llvm::Value* y) {
  emit_chunks(b, i64c(b, s.rotary_dim), i64c(b, s.head_dim), kLanes, [&](llvm::Value* i, llvm::Value* count) {
    store_f32x_n(b, load_f32x_n(b, f32_ptr(b, x, i), kLanes, count), f32_ptr(b, y, i), count);
  });
}

void emit(llvm::Function& fn, const KernelDesc& d) {
  RopeShape s = rope_shape(d);
  KernelParams p = kernel_params(fn);
  Builder b = entry_builder(fn);
  llvm::Value* x = arg_pointer(b, p, 0);
  llvm::Value* positions = arg_pointer(b, p, 1);
  llvm::Value* y = arg_pointer(b, p, s.factors ? 3 : 2);
  llvm::Value* freq = frequency_table(fn, s);
  if (s.factors) freq = divided_frequencies(b, s, freq, arg_pointer(b, p, 2));
  int64_t table_len = s.neox ? padded_pairs(s) : 2 * padded_pairs(s);
  AngleTable t{stack_array(b, b.getFloatTy(), table_len), stack_array(b, b.getFloatTy(), table_len)};
  int64_t heads = s.x.width / s.head_dim;
  emit_for(b, p.begin, p.end, 1, [&](llvm::Value* r) {
    fill_angles(b, s, freq, i32_at(b, positions, r), t);
    emit_for(b, i64c(b, 0), i64c(b, heads), 1, [&](llvm::Value* h) {
      auto* at = b.CreateAdd(b.CreateMul(r, i64c(b, s.x.width)), b.CreateMul(h, i64c(b, s.head_dim)));
      if (s.neox)
        rotate_neox(b, s, t, f32_ptr(b, x, at), f32_ptr(b, y, at));
      else
        rotate_normal(b, s, t, f32_ptr(b, x, at), f32_ptr(b, y, at));
      if (s.rotary_dim < s.head_dim) pass_through(b, s, f32_ptr(b, x, at), f32_ptr(b, y, at));
    }, "head");
  }, "row");
  b.CreateRetVoid();
}

}  // namespace

extern const Emitter kEmitRope{"rope", emit};

}  // namespace lmc::codegen
