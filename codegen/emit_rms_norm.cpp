// rms_norm(x[R,D], w[G]) -> y[R,D]: each group of G contiguous elements of a row is
// scaled by 1/sqrt(mean(x²) + eps) and by (w + offset). G == D is the usual
// per-token norm; G < D normalises each head of q or k separately. Work items: rows.
#include <llvm/IR/Function.h>

#include "codegen/desc_access.h"
#include "codegen/emitter.h"
#include "codegen/llvm_helpers.h"

namespace lmc::codegen {

namespace {

// 32 lanes = four independent ymm accumulators for the sum of squares.
constexpr unsigned kLanes = 32;

struct Shape {
  Rows x;
  int64_t group = 0;
};

Shape shape(const KernelDesc& d) {
  expect_arity(d, 2, 1);
  Shape s{expect_f32_rows(d, d.operands[0], "input")};
  const ir::Type& w = d.operands[1];
  if (w.dtype != ir::DType::f32 || w.rank() != 1 || !w.is_static() || w.dims[0].value <= 0)
    desc_error(d, "weight must be f32[G] with static G, got " + w.str());
  s.group = w.dims[0].value;
  if (s.x.width % s.group) desc_error(d, "the weight length must divide the row width");
  if (!(d.results[0] == d.operands[0])) desc_error(d, "result must have the input's type");
  return s;
}

void emit(llvm::Function& fn, const KernelDesc& d) {
  Shape s = shape(d);
  auto eps = static_cast<float>(attr_float(d, "eps"));
  auto offset = static_cast<float>(attr_float_or(d, "offset", 0.0));
  KernelParams p = kernel_params(fn);
  Builder b = entry_builder(fn);
  llvm::Value* x = arg_pointer(b, p, 0);
  llvm::Value* w = arg_pointer(b, p, 1);
  llvm::Value* y = arg_pointer(b, p, 2);
  llvm::Value* groups_end = b.CreateMul(p.end, i64c(b, s.x.width / s.group));
  emit_for(b, b.CreateMul(p.begin, i64c(b, s.x.width / s.group)), groups_end, 1, [&](llvm::Value* g) {
    auto* base = b.CreateMul(g, i64c(b, s.group));
    llvm::Value* xg = f32_ptr(b, x, base);
    llvm::Value* yg = f32_ptr(b, y, base);
    Carried sum = emit_chunks_carry(b, s.group, kLanes, {splat_f32(b, kLanes, 0)},
                                    [&](llvm::Value* i, llvm::Value* count, const Carried& acc) {
                                      auto* v = load_f32x_n(b, f32_ptr(b, xg, i), kLanes, count);
                                      return Carried{fma(b, v, v, acc[0])};
                                    });
    auto* mean = b.CreateFDiv(hsum(b, sum[0]), f32c(b, static_cast<float>(s.group)));
    auto* inv_rms = b.CreateFDiv(f32c(b, 1.0f), vsqrt(b, b.CreateFAdd(mean, f32c(b, eps))));
    auto* scale = splat(b, kLanes, inv_rms);
    emit_chunks(b, i64c(b, 0), i64c(b, s.group), kLanes, [&](llvm::Value* i, llvm::Value* count) {
      auto* v = load_f32x_n(b, f32_ptr(b, xg, i), kLanes, count);
      auto* wv = b.CreateFAdd(load_f32x_n(b, f32_ptr(b, w, i), kLanes, count), splat_f32(b, kLanes, offset));
      store_f32x_n(b, b.CreateFMul(b.CreateFMul(v, scale), wv), f32_ptr(b, yg, i), count);
    });
  });
  b.CreateRetVoid();
}

KernelInfo info(const KernelDesc& d) {
  Shape s = shape(d);
  return row_items(s.x.rows, s.x.width * 8);
}

}  // namespace

extern const Emitter kEmitRmsNorm{"rms_norm", emit, info};

}  // namespace lmc::codegen
