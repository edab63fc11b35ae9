#include "codegen/linear_common.h"

#include "codegen/llvm_math.h"
#include "ir/error.h"

namespace lmc::codegen {

namespace {

[[noreturn]] void fail(const KernelDesc& d, const std::string& what) {
  throw Error("codegen: error: linear kernel " + d.key() + ": " + what);
}

bool is_static_dim(const ir::Dim& d, int64_t v) { return d.is_static() && d.value == v; }

void expect_rows(const KernelDesc& d, const ir::Type& t, const ir::Dim& rows, int64_t cols,
                 const char* what) {
  if (t.dtype != ir::DType::f32 || t.rank() != 2 || !(t.dims[0] == rows) || !is_static_dim(t.dims[1], cols))
    fail(d, std::string(what) + " must be f32[" + rows.str() + "," + std::to_string(cols) + "], got " + t.str());
}

}  // namespace

int64_t LinearShape::w_row_bytes() const { return ir::dtype_row_bytes(wtype, K); }

LinearShape linear_shape(const KernelDesc& d) {
  LinearShape s;
  for (const auto& [name, value] : d.attrs) {
    if (name == "act" && std::holds_alternative<std::string>(value) &&
        is_activation(std::get<std::string>(value)))
      s.act = std::get<std::string>(value);
    else if (name == "residual" && std::holds_alternative<int64_t>(value) && std::get<int64_t>(value) <= 1)
      s.has_residual = std::get<int64_t>(value) == 1;
    else
      fail(d, "unsupported attribute " + name + " = " + ir::format_attr(value));
  }
  size_t n_ops = d.operands.size();
  if (n_ops < 2 || n_ops > 4 || d.results.size() != 1) fail(d, "expected 2..4 operands and 1 result");
  const ir::Type& w = d.operands[1];
  if ((w.dtype != ir::DType::f32 && w.dtype != ir::DType::q8_0) || w.rank() != 2 || !w.is_static())
    fail(d, "weight must be f32 or q8_0 with static [N,K], got " + w.str());
  s.wtype = w.dtype;
  s.N = w.dims[0].value;
  s.K = w.dims[1].value;
  if (s.N <= 0 || s.K <= 0) fail(d, "empty weight");
  if (s.K % ir::dtype_block_elems(s.wtype)) fail(d, "K must be a multiple of the weight's block size");

  const ir::Type& x = d.operands[0];
  if (x.rank() != 2) fail(d, "input must be rank 2, got " + x.str());
  s.rows = x.dims[0];
  expect_rows(d, x, s.rows, s.x_stride(), "input");
  size_t extra = n_ops - 2 - (s.has_residual ? 1 : 0);
  if (extra > 1) fail(d, "too many operands");
  s.has_bias = extra == 1;
  if (s.has_bias) {
    const ir::Type& bias = d.operands[2];
    if (bias.dtype != ir::DType::f32 || bias.rank() != 1 || !is_static_dim(bias.dims[0], s.N))
      fail(d, "bias must be f32[" + std::to_string(s.N) + "], got " + bias.str());
  }
  if (s.has_residual) expect_rows(d, d.operands.back(), s.rows, s.N, "residual");
  expect_rows(d, d.results[0], s.rows, s.N, "result");
  return s;
}

llvm::Value* load_input(Builder& b, const LinearShape& s, llvm::Value* row_ptr, llvm::Value* k,
                        unsigned lanes) {
  if (s.act.empty()) return load_f32x(b, f32_ptr(b, row_ptr, k), lanes);
  auto* gate = load_f32x(b, f32_ptr(b, row_ptr, k), lanes);
  auto* up = load_f32x(b, f32_ptr(b, row_ptr, b.CreateAdd(k, i64c(b, s.K))), lanes);
  return b.CreateFMul(emit_activation(b, s.act, gate), up);
}

llvm::Value* load_input_tail(Builder& b, const LinearShape& s, llvm::Value* row_ptr, llvm::Value* k,
                             unsigned lanes, llvm::Value* count) {
  if (s.act.empty()) return masked_load_f32x(b, f32_ptr(b, row_ptr, k), lanes, count);
  auto* gate = masked_load_f32x(b, f32_ptr(b, row_ptr, k), lanes, count);
  auto* up = masked_load_f32x(b, f32_ptr(b, row_ptr, b.CreateAdd(k, i64c(b, s.K))), lanes, count);
  return b.CreateFMul(emit_activation(b, s.act, gate), up);  // act(0) * 0 = 0
}

llvm::Value* weight_row(Builder& b, const LinearShape& s, const LinearOperands& o, llvm::Value* n) {
  return byte_ptr(b, o.w, b.CreateMul(n, i64c(b, s.w_row_bytes())));
}

llvm::Value* output_addend(Builder& b, const LinearShape& s, const LinearOperands& o, llvm::Value* t,
                           llvm::Value* n) {
  llvm::Value* v = f32c(b, 0.0f);
  if (o.bias) v = b.CreateLoad(b.getFloatTy(), f32_ptr(b, o.bias, n));
  if (o.res) {
    auto* r = b.CreateLoad(b.getFloatTy(), f32_ptr(b, o.res, b.CreateAdd(b.CreateMul(t, i64c(b, s.N)), n)));
    v = b.CreateFAdd(v, r);
  }
  return v;
}

}  // namespace lmc::codegen
