// layer_norm(x[R,D], w[D], b[D]) -> y[R,D]: y = (x - mean) / sqrt(var + eps) * w + b
// per row. The variance is a second pass over the centred row (the row is in L1),
// which avoids the cancellation of E[x²] - E[x]². Work items: rows.
#include <llvm/IR/Function.h>

#include "codegen/desc_access.h"
#include "codegen/emitter.h"
#include "codegen/llvm_helpers.h"

namespace lmc::codegen {

namespace {

// 32 lanes = four independent ymm accumulators per reduction.
constexpr unsigned kLanes = 32;

Rows shape(const KernelDesc& d) {
  expect_arity(d, 3, 1);
  Rows x = expect_f32_rows(d, d.operands[0], "input");
  for (int i : {1, 2}) {
    const ir::Type& t = d.operands[i];
    if (t.dtype != ir::DType::f32 || t.rank() != 1 || !(t.dims[0] == ir::Dim::of(x.width)))
      desc_error(d, "weight and bias must be f32[" + std::to_string(x.width) + "], got " + t.str());
  }
  if (!(d.results[0] == d.operands[0])) desc_error(d, "result must have the input's type");
  return x;
}

// Σ f(chunk) over the row, as a scalar.
llvm::Value* row_sum(Builder& b, int64_t n, const std::function<llvm::Value*(llvm::Value*, llvm::Value*)>& f) {
  Carried acc = emit_chunks_carry(b, n, kLanes, {splat_f32(b, kLanes, 0)},
                                  [&](llvm::Value* i, llvm::Value* count, const Carried& cur) {
                                    return Carried{b.CreateFAdd(cur[0], f(i, count))};
                                  });
  return hsum(b, acc[0]);
}

void emit(llvm::Function& fn, const KernelDesc& d) {
  Rows s = shape(d);
  auto eps = static_cast<float>(attr_float(d, "eps"));
  KernelParams p = kernel_params(fn);
  Builder b = entry_builder(fn);
  llvm::Value* x = arg_pointer(b, p, 0);
  llvm::Value* w = arg_pointer(b, p, 1);
  llvm::Value* bias = arg_pointer(b, p, 2);
  llvm::Value* y = arg_pointer(b, p, 3);
  auto* n = f32c(b, static_cast<float>(s.width));
  emit_for(b, p.begin, p.end, 1, [&](llvm::Value* r) {
    auto* base = b.CreateMul(r, i64c(b, s.width));
    llvm::Value* xr = f32_ptr(b, x, base);
    llvm::Value* yr = f32_ptr(b, y, base);
    auto load_x = [&](llvm::Value* i, llvm::Value* count) { return load_f32x_n(b, f32_ptr(b, xr, i), kLanes, count); };
    auto* mean = b.CreateFDiv(row_sum(b, s.width, load_x), n);
    auto* mean_v = splat(b, kLanes, mean);
    auto* var = b.CreateFDiv(row_sum(b, s.width,
                                     [&](llvm::Value* i, llvm::Value* count) {
                                       auto* c = b.CreateFSub(load_x(i, count), mean_v);
                                       // The tail's missing lanes load as 0 and must stay 0.
                                       if (count) c = b.CreateSelect(lane_mask(b, kLanes, count), c, splat_f32(b, kLanes, 0));
                                       return b.CreateFMul(c, c);
                                     }),
                             n);
    auto* inv_std = splat(b, kLanes, b.CreateFDiv(f32c(b, 1.0f), vsqrt(b, b.CreateFAdd(var, f32c(b, eps)))));
    emit_chunks(b, i64c(b, 0), i64c(b, s.width), kLanes, [&](llvm::Value* i, llvm::Value* count) {
      auto* c = b.CreateFMul(b.CreateFSub(load_x(i, count), mean_v), inv_std);
      auto* wv = load_f32x_n(b, f32_ptr(b, w, i), kLanes, count);
      auto* bv = load_f32x_n(b, f32_ptr(b, bias, i), kLanes, count);
      store_f32x_n(b, fma(b, c, wv, bv), f32_ptr(b, yr, i), count);
    });
  });
  b.CreateRetVoid();
}

KernelInfo info(const KernelDesc& d) {
  Rows s = shape(d);
  return row_items(s.rows, s.width * 8);
}

}  // namespace

extern const Emitter kEmitLayerNorm{"layer_norm", emit, info};

}  // namespace lmc::codegen
