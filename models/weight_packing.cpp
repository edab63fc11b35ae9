#include "models/weight_packing.h"

#include <cmath>
#include <cstring>

#include "ir/error.h"
#include "ir/half.h"

namespace lmc::models {

void quantize_row_q8_0(const float* x, uint8_t* out, int64_t n) {
  for (int64_t b = 0; b < n / 32; ++b, x += 32, out += 34) {
    float amax = 0;
    for (int j = 0; j < 32; ++j) amax = std::max(amax, std::fabs(x[j]));
    float d = amax / 127.0f;
    float id = d != 0 ? 1.0f / d : 0.0f;
    uint16_t dh = lmc::f32_to_f16(d);
    std::memcpy(out, &dh, 2);
    for (int j = 0; j < 32; ++j) out[2 + j] = static_cast<uint8_t>(static_cast<int8_t>(std::lround(x[j] * id)));
  }
}

namespace {

// q8_0 rows (whole panels of them) into q8_0x16's panels (ir/dtype.h).
std::vector<uint8_t> interleave_panels(const std::vector<uint8_t>& q8, int64_t rows, int64_t cols) {
  const int64_t kRows = ir::dtype_panel_rows(ir::DType::q8_0x16), kBlockBytes = ir::dtype_block_bytes(ir::DType::q8_0);
  const int64_t blocks = cols / 32, row_bytes = blocks * kBlockBytes;
  std::vector<uint8_t> out(q8.size());
  uint8_t* dst = out.data();
  for (int64_t p = 0; p < rows / kRows; ++p)
    for (int64_t j = 0; j < blocks; ++j) {
      auto block = [&](int64_t r) { return q8.data() + (p * kRows + r) * row_bytes + j * kBlockBytes; };
      for (int64_t r = 0; r < kRows; ++r, dst += 2) std::memcpy(dst, block(r), 2);
      for (int64_t q = 0; q < 8; ++q)
        for (int64_t r = 0; r < kRows; ++r, dst += 4) std::memcpy(dst, block(r) + 2 + 4 * q, 4);
    }
  return out;
}

}  // namespace

std::vector<uint8_t> pack_rows(const float* x, int64_t rows, int64_t cols, ir::DType dtype) {
  if (dtype == ir::DType::q8_0x16) {
    int64_t panel = ir::dtype_panel_rows(dtype);
    if (rows % panel) throw Error("q8_0x16 weights need a multiple of " + std::to_string(panel) + " rows, got " + std::to_string(rows));
    return interleave_panels(pack_rows(x, rows, cols, ir::DType::q8_0), rows, cols);
  }
  int64_t row_bytes = ir::dtype_row_bytes(dtype, cols);
  std::vector<uint8_t> out(static_cast<size_t>(rows * row_bytes));
  for (int64_t r = 0; r < rows; ++r) {
    const float* src = x + r * cols;
    uint8_t* dst = out.data() + r * row_bytes;
    switch (dtype) {
      case ir::DType::f32: std::memcpy(dst, src, cols * 4); break;
      case ir::DType::f16:
        for (int64_t c = 0; c < cols; ++c) {
          uint16_t h = lmc::f32_to_f16(src[c]);
          std::memcpy(dst + 2 * c, &h, 2);
        }
        break;
      case ir::DType::bf16:
        for (int64_t c = 0; c < cols; ++c) {
          uint16_t h = lmc::f32_to_bf16(src[c]);
          std::memcpy(dst + 2 * c, &h, 2);
        }
        break;
      case ir::DType::q8_0: quantize_row_q8_0(src, dst, cols); break;
      case ir::DType::i32: throw Error("cannot pack weights as i32");
      case ir::DType::q8_0x16: break;  // interleaved above
      case ir::DType::q4_0:
      case ir::DType::q4_1:
      case ir::DType::q5_0:
      case ir::DType::q5_1:
        throw Error(std::string(ir::dtype_name(dtype)) + " weights keep a file's blocks; they are not packed from f32");
    }
  }
  return out;
}

}  // namespace lmc::models
