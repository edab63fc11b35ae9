// Elementwise kernels: add, mul, scale and the activations gelu, gelu_tanh, silu.
// All operands and the result share one f32 shape; rows are contiguous, so a range
// of rows is one flat run of floats, streamed in vector chunks with a masked tail.
// Work items are the rows of the leading dim (one item for a scalar).
#include <string_view>

#include <llvm/IR/Function.h>

#include "codegen/desc_access.h"
#include "codegen/emitter.h"
#include "codegen/llvm_math.h"

namespace lmc::codegen {

namespace {

// Four ymm registers per step: enough independent work to hide the latency of the
// activation polynomials.
constexpr unsigned kLanes = 32;

using Op = llvm::Value* (*)(Builder& b, const KernelDesc& d, llvm::Value* x, llvm::Value* y);

llvm::Value* add(Builder& b, const KernelDesc&, llvm::Value* x, llvm::Value* y) { return b.CreateFAdd(x, y); }
llvm::Value* mul(Builder& b, const KernelDesc&, llvm::Value* x, llvm::Value* y) { return b.CreateFMul(x, y); }
llvm::Value* scale(Builder& b, const KernelDesc& d, llvm::Value* x, llvm::Value*) {
  return b.CreateFMul(x, splat_f32(b, kLanes, static_cast<float>(attr_float(d, "factor"))));
}
llvm::Value* activation(Builder& b, const KernelDesc& d, llvm::Value* x, llvm::Value*) {
  return emit_activation(b, d.kind, x);
}

struct Elementwise {
  std::string_view kind;
  size_t inputs;
  Op op;
};

constexpr Elementwise kTable[] = {
    {"add", 2, add},        {"mul", 2, mul},           {"scale", 1, scale},
    {"gelu", 1, activation}, {"gelu_tanh", 1, activation}, {"silu", 1, activation},
};

const Elementwise& elementwise(const KernelDesc& d) {
  for (const auto& e : kTable)
    if (e.kind == d.kind) return e;
  desc_error(d, "not an elementwise kind");
}

// Rows of the leading dim and floats per row; every operand must have the result's type.
struct Layout {
  ir::Dim rows = ir::Dim::of(1);
  int64_t row_len = 1;
};

Layout layout(const KernelDesc& d) {
  expect_arity(d, elementwise(d).inputs, 1);
  const ir::Type& y = d.results[0];
  if (y.dtype != ir::DType::f32) desc_error(d, "result must be f32, got " + y.str());
  for (const auto& x : d.operands)
    if (!(x == y)) desc_error(d, "operand " + x.str() + " differs from the result type " + y.str());
  Layout l;
  for (size_t i = 0; i < y.rank(); ++i) {
    if (i == 0) {
      l.rows = y.dims[0];
      continue;
    }
    if (!y.dims[i].is_static()) desc_error(d, "only the leading dim may be symbolic, got " + y.str());
    l.row_len *= y.dims[i].value;
  }
  return l;
}

void emit(llvm::Function& fn, const KernelDesc& d) {
  Layout l = layout(d);
  const Elementwise& e = elementwise(d);
  KernelParams p = kernel_params(fn);
  Builder b = entry_builder(fn);
  std::vector<llvm::Value*> in;
  for (size_t i = 0; i < e.inputs; ++i) in.push_back(arg_pointer(b, p, static_cast<int>(i)));
  llvm::Value* out = arg_pointer(b, p, static_cast<int>(e.inputs));
  auto* lo = b.CreateMul(p.begin, i64c(b, l.row_len));
  auto* hi = b.CreateMul(p.end, i64c(b, l.row_len));
  emit_chunks(b, lo, hi, kLanes, [&](llvm::Value* i, llvm::Value* count) {
    llvm::Value* x = load_f32x_n(b, f32_ptr(b, in[0], i), kLanes, count);
    llvm::Value* y = e.inputs > 1 ? load_f32x_n(b, f32_ptr(b, in[1], i), kLanes, count) : nullptr;
    store_f32x_n(b, e.op(b, d, x, y), f32_ptr(b, out, i), count);
  });
  b.CreateRetVoid();
}

KernelInfo info(const KernelDesc& d) {
  Layout l = layout(d);
  return row_items(l.rows, l.row_len * 4 * static_cast<int64_t>(d.operands.size() + 1));
}

}  // namespace

extern const Emitter kEmitAdd{"add", emit, info};
extern const Emitter kEmitMul{"mul", emit, info};
extern const Emitter kEmitScale{"scale", emit, info};
extern const Emitter kEmitGelu{"gelu", emit, info};
extern const Emitter kEmitGeluTanh{"gelu_tanh", emit, info};
extern const Emitter kEmitSilu{"silu", emit, info};

}  // namespace lmc::codegen
