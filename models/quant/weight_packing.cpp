#include "models/quant/weight_packing.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "models/quant/super_block_panels.h"
#include "support/error.h"
#include "support/half.h"
#include "support/huge_pages.h"

namespace lmc::models {

namespace {

// Comparisons the compiler turns into maxps/minps: with -fno-trapping-math on this file
// (CMakeLists.txt) the rounding loop below vectorizes.
float max_of(float a, float b) { return a > b ? a : b; }
float min_of(float a, float b) { return a < b ? a : b; }

// v rounded half away from zero as std::lround rounds it, clamped to int8's range (a NaN to
// -128): lround's libm call was a third of a folder's weight packing.
int8_t round_to_int8(float v) {
  v = min_of(max_of(v, -128.0f), 127.0f);
  const int whole = static_cast<int>(v);
  const float frac = v - static_cast<float>(whole);
  return static_cast<int8_t>(whole + (frac >= 0.5f ? 1 : 0) - (frac <= -0.5f ? 1 : 0));
}

// The largest |x| of a block in four independent chains: one chain waits on each max.
float block_amax(const float* x) {
  float a[4] = {0, 0, 0, 0};
  for (int j = 0; j < 32; j += 4)
    for (int l = 0; l < 4; ++l) a[l] = std::max(a[l], std::fabs(x[j + l]));
  return std::max(std::max(a[0], a[1]), std::max(a[2], a[3]));
}

}  // namespace

void quantize_row_q8_0(const float* x, uint8_t* out, int64_t n) {
  for (int64_t b = 0; b < n / 32; ++b, x += 32, out += 34) {
    const float d = block_amax(x) / 127.0f;
    const float id = d != 0 ? 1.0f / d : 0.0f;
    const uint16_t dh = lmc::f32_to_f16(d);
    std::memcpy(out, &dh, 2);
    int8_t q[32];
    for (int j = 0; j < 32; ++j) q[j] = round_to_int8(x[j] * id);
    std::memcpy(out + 2, q, 32);
  }
}

std::vector<uint8_t> interleave_panels(std::span<const uint8_t> blocks, ir::DType panels, int64_t rows, int64_t cols) {
  const ir::DType base = ir::panel_base(panels);
  const int64_t kRows = ir::dtype_panel_rows(panels), kBlockBytes = ir::dtype_block_bytes(base);
  if (kRows == 1) throw Error(std::string(ir::dtype_name(panels)) + " is not a panel type");
  if (rows % kRows)
    throw Error(std::string(ir::dtype_name(panels)) + " weights need a multiple of " + std::to_string(kRows) +
                " rows, got " + std::to_string(rows));
  const int64_t row_bytes = ir::dtype_row_bytes(base, cols);
  if (static_cast<int64_t>(blocks.size()) != rows * row_bytes) throw Error("interleave_panels: size mismatch");
  if (ir::dtype_block_elems(base) == 256) return interleave_super_panels(blocks, panels, rows, cols);
  const ir::BlockHead head = ir::dtype_block_head(base);
  std::vector<uint8_t> out(blocks.size());
  uint8_t* dst = out.data();
  for (int64_t p = 0; p < rows / kRows; ++p)
    for (int64_t j = 0; j < cols / 32; ++j) {
      auto block = [&](int64_t r) { return blocks.data() + (p * kRows + r) * row_bytes + j * kBlockBytes; };
      for (int64_t f = 0; f < head.bytes(); f += ir::BlockHead::kFieldBytes)
        for (int64_t r = 0; r < kRows; ++r, dst += ir::BlockHead::kFieldBytes)
          std::memcpy(dst, block(r) + f, ir::BlockHead::kFieldBytes);
      for (int64_t c = head.bytes(); c < kBlockBytes; c += 4)
        for (int64_t r = 0; r < kRows; ++r, dst += 4) std::memcpy(dst, block(r) + c, 4);
    }
  return out;
}

namespace {

// One row of f32 values as `dtype` (a row-major type lmc packs).
void pack_row(const float* src, uint8_t* dst, int64_t cols, ir::DType dtype) {
  if (ir::is_kept_from_source(ir::panel_base(dtype)))
    throw Error(std::string(ir::dtype_name(dtype)) + " weights keep a file's blocks; they are not packed from f32");
  switch (dtype) {
    case ir::DType::f32:
      std::memcpy(dst, src, cols * 4);
      break;
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
    case ir::DType::q8_0:
      quantize_row_q8_0(src, dst, cols);
      break;
    default:
      throw Error("cannot pack weights as " + std::string(ir::dtype_name(dtype)));
  }
}

}  // namespace

std::vector<uint8_t> pack_rows(const float* x, int64_t rows, int64_t cols, ir::DType dtype) {
  if (dtype == ir::DType::q8_0x16)
    return interleave_panels(pack_rows(x, rows, cols, ir::DType::q8_0), dtype, rows, cols);
  int64_t row_bytes = ir::dtype_row_bytes(dtype, cols);
  auto out = huge_page_vector<uint8_t>(static_cast<size_t>(rows * row_bytes));
  for (int64_t r = 0; r < rows; ++r) pack_row(x + r * cols, out.data() + r * row_bytes, cols, dtype);
  return out;
}

}  // namespace lmc::models
