#include "driver/host_array.h"

#include <cstring>

#include "models/quant/dequantize.h"
#include "models/quant/weight_packing.h"
#include "support/checked_math.h"
#include "support/error.h"

namespace lmc::driver {

namespace {

// A type's values as rows of its last dim, the unit every packed dtype is stored in.
struct Rows {
  int64_t rows, cols;
};

Rows rows_of(const std::vector<int64_t>& shape) {
  int64_t cols = shape.empty() ? 1 : shape.back(), n = 1;
  for (int64_t d : shape) n = ir::checked_mul(n, d, "element count");
  return {cols ? n / cols : 0, cols};
}

// The ggml type whose rows decode a 16-bit or block dtype.
models::GgmlType ggml_type_of(ir::DType t) {
  switch (t) {
    case ir::DType::f16:
      return models::GgmlType::F16;
    case ir::DType::bf16:
      return models::GgmlType::BF16;
    case ir::DType::q8_0:
      return models::GgmlType::Q8_0;
    default:
      throw Error(std::string("lmc exec: error: no conversion of ") + std::string(ir::dtype_name(t)) + " values");
  }
}

}  // namespace

int64_t HostArray::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n = ir::checked_mul(n, d, "element count");
  return n;
}

std::vector<int64_t> bound_shape(const ir::Type& t, const int64_t* syms) {
  std::vector<int64_t> shape;
  for (const ir::Dim& d : t.dims) shape.push_back(d.sym ? syms[static_cast<int>(*d.sym)] : d.value);
  return shape;
}

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

ir::DType host_dtype(const ir::Type& t) { return t.dtype == ir::DType::i32 ? ir::DType::i32 : ir::DType::f32; }

bool host_convertible(ir::DType t) {
  return t == ir::DType::f32 || t == ir::DType::f16 || t == ir::DType::bf16 || t == ir::DType::q8_0 ||
         t == ir::DType::i32;
}

void store_array(const HostArray& a, const ir::Type& t, void* dst) {
  if (t.dtype == ir::DType::i32) {
    std::memcpy(dst, a.i32.data(), a.i32.size() * sizeof(int32_t));
    return;
  }
  Rows r = rows_of(a.shape);
  std::vector<uint8_t> packed = models::pack_rows(a.f32.data(), r.rows, r.cols, t.dtype);
  std::memcpy(dst, packed.data(), packed.size());
}

HostArray load_array(const void* src, const ir::Type& t, const int64_t* syms) {
  HostArray a;
  a.dtype = host_dtype(t);
  a.shape = bound_shape(t, syms);
  const auto n = static_cast<size_t>(a.numel());
  if (t.dtype == ir::DType::i32) {
    a.i32.resize(n);
    std::memcpy(a.i32.data(), src, n * sizeof(int32_t));
    return a;
  }
  a.f32.resize(n);
  if (t.dtype == ir::DType::f32) {
    std::memcpy(a.f32.data(), src, n * sizeof(float));
    return a;
  }
  // Rows of f16, bf16 or q8_0 blocks lie back to back, so the whole buffer decodes as one row.
  models::dequantize_row(ggml_type_of(t.dtype), static_cast<const uint8_t*>(src), a.f32.data(), a.numel());
  return a;
}

}  // namespace lmc::driver
