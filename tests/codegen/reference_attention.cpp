// The references of the KV cache and attention kernels (reference_kernels.h): cache rows
// packed and unpacked in each cache dtype, the kv_write reference, and attention.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "tests/codegen/reference_kernels.h"

namespace lmc::test {

std::vector<uint8_t> pack_cache_rows(const float* x, int64_t rows, int64_t W, ir::DType dtype) {
  int64_t row_bytes = ir::dtype_row_bytes(dtype, W);
  std::vector<uint8_t> out(static_cast<size_t>(rows * row_bytes), 0xff);
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = x + r * W;
    uint8_t* dst = out.data() + r * row_bytes;
    if (std::any_of(row, row + W, [](float v) { return std::isnan(v); })) continue;
    if (dtype == ir::DType::q8_0) {
      auto q = quantize_q8_0(row, 1, W);
      std::memcpy(dst, q.data(), q.size());
    } else if (dtype == ir::DType::f16) {
      for (int64_t i = 0; i < W; ++i) {
        uint16_t h = f32_to_f16(row[i]);
        std::memcpy(dst + 2 * i, &h, 2);
      }
    } else {
      std::memcpy(dst, row, static_cast<size_t>(W) * 4);
    }
  }
  return out;
}

std::vector<float> unpack_cache_rows(const uint8_t* bytes, int64_t rows, int64_t W, ir::DType dtype) {
  int64_t row_bytes = ir::dtype_row_bytes(dtype, W);
  std::vector<float> out(static_cast<size_t>(rows * W));
  for (int64_t r = 0; r < rows; ++r) {
    const uint8_t* src = bytes + r * row_bytes;
    float* row = out.data() + r * W;
    if (std::all_of(src, src + row_bytes, [](uint8_t b) { return b == 0xff; })) {
      std::fill(row, row + W, NAN);
    } else if (dtype == ir::DType::q8_0) {
      dequantize_q8_0_row(src, W, row);
    } else if (dtype == ir::DType::f16) {
      for (int64_t i = 0; i < W; ++i) {
        uint16_t h;
        std::memcpy(&h, src + 2 * i, 2);
        row[i] = f16_to_f32(h);
      }
    } else {
      std::memcpy(row, src, static_cast<size_t>(W) * 4);
    }
  }
  return out;
}

void reference_kv_write(std::vector<uint8_t>& caches, ir::DType dtype, int64_t C, int64_t W, const float* x, int64_t T,
                        const int32_t* positions, const int32_t* seqs) {
  int64_t row_bytes = ir::dtype_row_bytes(dtype, W);
  for (int64_t t = 0; t < T; ++t) {
    auto row = pack_cache_rows(x + t * W, 1, W, dtype);
    std::memcpy(&caches[static_cast<size_t>((seqs[t] * C + positions[t] % C) * row_bytes)], row.data(), row.size());
  }
}

namespace {

// The last key row t reads: its own position, its key end when given, or bidirectionally its
// sequence's last in the step.
int64_t last_key(const AttentionRef& a, int64_t t) {
  int64_t p = a.key_ends ? a.key_ends[t] : a.positions[t];
  for (int64_t u = 0; a.bidirectional && u < a.T; ++u)
    if (a.seqs[u] == a.seqs[t]) p = std::max<int64_t>(p, a.positions[u]);
  return p;
}

}  // namespace

std::vector<double> reference_attention(const AttentionRef& a) {
  std::vector<double> o(static_cast<size_t>(a.T * a.Hq * a.hd));
  int64_t group = a.Hq / a.Hk;
  for (int64_t t = 0; t < a.T; ++t) {
    int64_t p = last_key(a, t);
    int64_t first = a.seqs[t] * a.C;  // the sequence's cache, in slots
    int64_t lo = a.window ? std::max<int64_t>(0, a.positions[t] - a.window + 1) : 0;
    for (int64_t h = 0; h < a.Hq; ++h) {
      const float* q = a.q + (t * a.Hq + h) * a.hd;
      int64_t kv = (h / group) * a.hd;
      std::vector<double> score;
      for (int64_t j = lo; j <= p; ++j) {
        const float* k = a.kc + (first + j % a.C) * a.Hk * a.hd + kv;
        double s = 0;
        for (int64_t i = 0; i < a.hd; ++i) s += static_cast<double>(q[i]) * k[i];
        s *= a.scale;
        if (a.softcap > 0) s = a.softcap * std::tanh(s / a.softcap);
        score.push_back(s);
      }
      double m = *std::max_element(score.begin(), score.end()), sum = 0;
      for (double& s : score) sum += (s = std::exp(s - m));
      double* out = o.data() + (t * a.Hq + h) * a.hd;
      for (int64_t j = lo; j <= p; ++j) {
        const float* v = a.vc + (first + j % a.C) * a.Hk * a.hd + kv;
        for (int64_t i = 0; i < a.hd; ++i) out[i] += score[j - lo] / sum * v[i];
      }
    }
  }
  return o;
}

}  // namespace lmc::test
