#include "tests/codegen/reference_kernels.h"

#include "models/quant/dequantize.h"
#include "models/quant/weight_packing.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <stdexcept>

namespace lmc::test {

float f16_to_f32(uint16_t h) {
  int sign = h >> 15, exp = (h >> 10) & 31, mant = h & 1023;
  double v;
  if (exp == 0)
    v = std::ldexp(mant, -24);
  else if (exp == 31)
    v = mant ? NAN : INFINITY;
  else
    v = std::ldexp(mant + 1024, exp - 25);
  return static_cast<float>(sign ? -v : v);
}

uint16_t f32_to_f16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  uint16_t sign = (x >> 16) & 0x8000;
  float a = std::fabs(f);
  if (std::isnan(f)) return sign | 0x7e00;
  if (a >= 65520.0f) return sign | 0x7c00;
  if (a < 6.103515625e-05f) {  // subnormal: multiples of 2^-24, ties to even by rint
    return sign | static_cast<uint16_t>(std::nearbyint(a * 16777216.0f));
  }
  int e;
  float m = std::frexp(a, &e);  // a = m * 2^e, m in [0.5, 1)
  auto mant = static_cast<uint32_t>(std::nearbyint(std::ldexp(m, 11)));  // 11 bits incl. hidden
  if (mant == 2048) {
    mant = 1024;
    ++e;
  }
  return sign | static_cast<uint16_t>(((e + 14) << 10) | (mant - 1024));
}

std::vector<uint8_t> quantize_q8_0(const float* x, int64_t rows, int64_t k) {
  if (k % 32) throw std::invalid_argument("q8_0 needs k % 32 == 0");
  std::vector<uint8_t> out(static_cast<size_t>(rows * k / 32 * 34));
  uint8_t* p = out.data();
  for (int64_t i = 0; i < rows * k; i += 32) {
    float amax = 0;
    for (int j = 0; j < 32; ++j) amax = std::max(amax, std::fabs(x[i + j]));
    float d = amax / 127.0f;
    float id = d != 0 ? 1.0f / d : 0.0f;
    uint16_t dh = f32_to_f16(d);
    std::memcpy(p, &dh, 2);
    for (int j = 0; j < 32; ++j) p[2 + j] = static_cast<uint8_t>(static_cast<int8_t>(std::lround(x[i + j] * id)));
    p += 34;
  }
  return out;
}

void dequantize_q8_0_row(const uint8_t* row, int64_t k, float* out) {
  for (int64_t b = 0; b < k / 32; ++b) {
    uint16_t dh;
    std::memcpy(&dh, row + 34 * b, 2);
    float d = f16_to_f32(dh);
    for (int j = 0; j < 32; ++j) out[32 * b + j] = d * static_cast<int8_t>(row[34 * b + 2 + j]);
  }
}

namespace {

// Where a 4- or 5-bit block's parts lie: d, m (the _1 types), the fifth bits (q5), nibbles;
// d and m are f16.
struct SmallBlock {
  static constexpr int64_t field = 2;
  bool has_min, has_high;
  explicit SmallBlock(ir::DType t)
      : has_min(t == ir::DType::q4_1 || t == ir::DType::q5_1), has_high(t == ir::DType::q5_0 || t == ir::DType::q5_1) {}
  int64_t high() const { return has_min ? 2 * field : field; }
  void put(uint8_t* p, float v) const {
    uint16_t h = f32_to_f16(v);
    std::memcpy(p, &h, 2);
  }
  float get(const uint8_t* p) const {
    uint16_t h;
    std::memcpy(&h, p, 2);
    return f16_to_f32(h);
  }
  int64_t nibbles() const { return high() + (has_high ? 4 : 0); }
  int levels() const { return has_high ? 32 : 16; }
};

}  // namespace

std::vector<uint8_t> quantize_small(const float* x, int64_t rows, int64_t k, ir::DType t) {
  if (k % 32) throw std::invalid_argument("block types need k % 32 == 0");
  SmallBlock l(t);
  int64_t block = ir::dtype_block_bytes(t);
  std::vector<uint8_t> out(static_cast<size_t>(rows * k / 32 * block));
  for (int64_t i = 0; i < rows * k; i += 32) {
    const float* v = x + i;
    float lo = *std::min_element(v, v + 32), hi = *std::max_element(v, v + 32);
    // Symmetric types: levels steps of d about 0; _1 types: levels-1 steps of d from m = min.
    float half = static_cast<float>(l.levels() / 2);
    float d =
        l.has_min ? (hi - lo) / static_cast<float>(l.levels() - 1) : std::max(std::fabs(lo), std::fabs(hi)) / half;
    float m = l.has_min ? lo : -half * d;
    uint8_t* p = out.data() + i / 32 * block;
    std::memset(p, 0, static_cast<size_t>(block));
    l.put(p, d);
    if (l.has_min) l.put(p + l.field, m);
    uint32_t high = 0;
    for (int j = 0; j < 32; ++j) {
      long q = d ? std::lround((v[j] - m) / d) : 0;
      auto n = static_cast<uint32_t>(std::clamp(q, 0L, static_cast<long>(l.levels() - 1)));
      p[l.nibbles() + j % 16] |= static_cast<uint8_t>(j < 16 ? (n & 15) : (n & 15) << 4);
      high |= (n >> 4) << j;
    }
    if (l.has_high) std::memcpy(p + l.high(), &high, 4);
  }
  return out;
}

void dequantize_small_row(const uint8_t* row, int64_t k, ir::DType t, float* out) {
  SmallBlock l(t);
  int64_t block = ir::dtype_block_bytes(t);
  for (int64_t b = 0; b < k / 32; ++b) {
    const uint8_t* p = row + b * block;
    uint32_t high = 0;
    if (l.has_high) std::memcpy(&high, p + l.high(), 4);
    float d = l.get(p), m = l.has_min ? l.get(p + l.field) : -static_cast<float>(l.levels() / 2) * d;
    for (int j = 0; j < 32; ++j) {
      int q = j < 16 ? p[l.nibbles() + j] & 15 : p[l.nibbles() + j - 16] >> 4;
      q |= static_cast<int>((high >> j) & 1) << 4;
      out[32 * b + j] = d * static_cast<float>(q) + m;
    }
  }
}

int64_t input_group(ir::DType w) { return ir::dtype_block_elems(ir::panel_base(w)) == 256 ? 256 : 32; }

std::vector<double> round_input_rows(const float* x, int64_t T, int64_t K, ir::DType w) {
  const int64_t group = input_group(w);
  std::vector<double> out(static_cast<size_t>(T * K));
  for (int64_t g = 0; g < T * K; g += group) {
    float amax = 0;
    for (int64_t j = 0; j < group; ++j) amax = std::max(amax, std::fabs(x[g + j]));
    const float inv = amax > 0 ? 127.0f / amax : 0.0f;
    const float d = group == 32 ? f16_to_f32(f32_to_f16(amax / 127.0f)) : (amax > 0 ? 1.0f / inv : 0.0f);
    for (int64_t j = 0; j < group; ++j) out[g + j] = static_cast<double>(d) * std::nearbyint(x[g + j] * inv);
  }
  return out;
}

double ref_activation(const std::string& name, double x) {
  if (name == "silu") return x / (1.0 + std::exp(-x));
  if (name == "gelu_tanh") return 0.5 * x * (1.0 + std::tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)));
  if (name == "gelu") return 0.5 * x * std::erfc(-x / std::sqrt(2.0));
  if (name == "tanh") return std::tanh(x);
  throw std::invalid_argument("unknown activation " + name);
}

namespace {

// Where byte i of row r's block lands in its panel's block (ir/dtype.h): the head's
// scale fields (d; d and m) each as 16 rows' side by side, then 4-byte chunks of 16 rows
// each.
int64_t panel_offset(ir::DType base, int64_t r, int64_t i) {
  SmallBlock l(base);
  int64_t field = base == ir::DType::q8_0 ? 2 : l.field, head = base == ir::DType::q8_0 ? 2 : l.high();
  if (i < head) return (i / field) * 16 * field + field * r + i % field;
  return head * 16 + (i - head) / 4 * 64 + 4 * r + (i - head) % 4;
}

// Row n of a q4_kx16 or q5_kx16 weight back as one row of super-blocks: from each
// super-block's header the row's d, dmin and scale words, from each piece its nibbles (a
// byte pairs values l and l + 16) and q5's fifth bits (bit l of the row's word).
std::vector<uint8_t> super_panel_row(const uint8_t* w, ir::DType panels, int64_t K, int64_t n) {
  const ir::DType base = ir::panel_base(panels);
  const bool q5 = base == ir::DType::q5_k;
  const int64_t bytes = ir::dtype_block_bytes(base), supers = K / 256, r = n % 16, piece = q5 ? 320 : 256;
  std::vector<uint8_t> row(static_cast<size_t>(supers * bytes), 0);
  for (int64_t s = 0; s < supers; ++s) {
    const uint8_t* sp = w + (n / 16 * supers + s) * 16 * bytes;
    uint8_t* out = row.data() + s * bytes;
    std::memcpy(out, sp + 2 * r, 2);
    std::memcpy(out + 2, sp + 32 + 2 * r, 2);
    for (int64_t word = 0; word < 3; ++word) std::memcpy(out + 4 + 4 * word, sp + 64 + 64 * word + 4 * r, 4);
    uint8_t* qs = out + (q5 ? 48 : 16);
    for (int64_t j = 0; j < 8; ++j) {
      const uint8_t* pb = sp + 256 + j * piece;
      uint32_t bits = 0;
      if (q5) std::memcpy(&bits, pb + 4 * r, 4);
      for (int64_t l = 0; l < 32; ++l) {
        const uint8_t byte = pb[(q5 ? 64 : 0) + (l % 16) / 4 * 64 + 4 * r + l % 4];
        const int v = (byte >> (l < 16 ? 0 : 4)) & 0x0F;
        qs[32 * (j / 2) + l] |= static_cast<uint8_t>(v << (4 * (j % 2)));
        if (q5) out[16 + l] |= static_cast<uint8_t>(((bits >> l) & 1) << j);
      }
    }
  }
  return row;
}

// Row n of a q6_kx16 weight back as one row of Q6_K super-blocks: the row's d and 16
// scales from each super-block's header, and each value's low nibble (chunk (l % 16) / 4,
// the high nibble for l >= 16) and high part (bits 2((l % 16) / 4) of byte l % 4 of word
// l / 16) from its piece, put back where GGUF keeps them.
std::vector<uint8_t> six_bit_panel_row(const uint8_t* w, int64_t K, int64_t n) {
  const int64_t bytes = 210, supers = K / 256, r = n % 16;
  std::vector<uint8_t> row(static_cast<size_t>(supers * bytes), 0);
  for (int64_t s = 0; s < supers; ++s) {
    const uint8_t* sp = w + (n / 16 * supers + s) * 16 * bytes;
    uint8_t* out = row.data() + s * bytes;
    std::memcpy(out + 208, sp + 2 * r, 2);
    for (int64_t sub = 0; sub < 16; ++sub) out[192 + sub] = sp[32 + 16 * sub + r];
    for (int64_t j = 0; j < 8; ++j) {
      const uint8_t* pb = sp + 288 + j * 384;
      for (int64_t l = 0; l < 32; ++l) {
        const int64_t chunk = (l % 16) / 4;
        const int low = (pb[128 + chunk * 64 + 4 * r + l % 4] >> (l < 16 ? 0 : 4)) & 0x0F;
        const int high = (pb[(l / 16) * 64 + 4 * r + l % 4] >> (2 * chunk)) & 3;
        // Value v of the super-block: half v / 128, quarter (v % 128) / 32, byte v % 32.
        const int64_t v = 32 * j + l, half = v / 128, quarter = v % 128 / 32, i = v % 32;
        out[64 * half + 32 * (quarter % 2) + i] |= static_cast<uint8_t>(low << (4 * (quarter / 2)));
        out[128 + 32 * half + i] |= static_cast<uint8_t>(high << (2 * quarter));
      }
    }
  }
  return row;
}

}  // namespace

// Row n of an x16 weight back as one row of its row-major blocks.
std::vector<uint8_t> panel_row(const uint8_t* w, ir::DType panels, int64_t K, int64_t n) {
  const ir::DType base = ir::panel_base(panels);
  if (base == ir::DType::q6_k) return six_bit_panel_row(w, K, n);
  if (ir::dtype_block_elems(base) == 256) return super_panel_row(w, panels, K, n);
  const int64_t blocks = K / 32, block_bytes = ir::dtype_block_bytes(base), r = n % 16;
  const uint8_t* panel = w + n / 16 * 16 * blocks * block_bytes;
  std::vector<uint8_t> row;
  for (int64_t j = 0; j < blocks; ++j)
    for (int64_t i = 0; i < block_bytes; ++i) row.push_back(panel[j * 16 * block_bytes + panel_offset(base, r, i)]);
  return row;
}

std::vector<uint8_t> to_panels(const std::vector<uint8_t>& blocks, ir::DType panels, int64_t rows, int64_t k) {
  const ir::DType base = ir::panel_base(panels);
  if (ir::dtype_block_elems(base) == 256) return models::interleave_panels(blocks, panels, rows, k);
  const int64_t row_blocks = k / 32, block_bytes = ir::dtype_block_bytes(base);
  std::vector<uint8_t> out(blocks.size());
  for (int64_t n = 0; n < rows; ++n)
    for (int64_t j = 0; j < row_blocks; ++j) {
      uint8_t* dst = out.data() + ((n / 16) * row_blocks + j) * 16 * block_bytes;
      for (int64_t i = 0; i < block_bytes; ++i)
        dst[panel_offset(base, n % 16, i)] = blocks[(n * row_blocks + j) * block_bytes + i];
    }
  return out;
}

std::optional<models::GgmlType> ggml_type_of(ir::DType t) {
  switch (t) {
    case ir::DType::q4_k:
      return models::GgmlType::Q4_K;
    case ir::DType::q5_k:
      return models::GgmlType::Q5_K;
    case ir::DType::q6_k:
      return models::GgmlType::Q6_K;
    case ir::DType::q3_k:
      return models::GgmlType::Q3_K;
    case ir::DType::q2_k:
      return models::GgmlType::Q2_K;
    case ir::DType::iq4_nl:
      return models::GgmlType::IQ4_NL;
    case ir::DType::iq4_xs:
      return models::GgmlType::IQ4_XS;
    case ir::DType::mxfp4:
      return models::GgmlType::MXFP4;
    default:
      return std::nullopt;
  }
}

namespace {

// Where a block's f16 d lies, and below which it is drawn so that d times the largest
// integer scale times quant (q4_k: 63 * 15 plus the min's 63 * 15) stays about 2.
struct BlockD {
  int64_t at;
  float max;
};
BlockD block_d(ir::DType t) {
  switch (t) {
    case ir::DType::q6_k:
      return {208, 4e-4f};    // 128 * 32
    case ir::DType::q3_k:
      return {108, 1.5e-2f};  // 32 * 4
    case ir::DType::q2_k:
      return {80, 2e-2f};     // 15 * 3 plus the min's 15
    case ir::DType::iq4_nl:
      return {0, 1.5e-2f};  // 127
    case ir::DType::iq4_xs:
      return {0, 5e-4f};    // 32 * 127
    default:
      return {0, 2e-3f};
  }
}

}  // namespace

std::vector<uint8_t> random_ggml_blocks(int64_t rows, int64_t k, ir::DType t, uint32_t seed) {
  std::vector<uint8_t> out(static_cast<size_t>(rows * ir::dtype_row_bytes(t, k)));
  std::mt19937 rng(seed);
  for (auto& byte : out) byte = static_cast<uint8_t>(rng());
  const BlockD d = block_d(t);
  std::uniform_real_distribution<float> scale(0.0f, d.max);
  auto put_f16 = [&](uint8_t* at) {
    uint16_t h = f32_to_f16(scale(rng));
    std::memcpy(at, &h, 2);
  };
  const int64_t bytes = ir::dtype_block_bytes(t);
  for (uint8_t* block = out.data(); block < out.data() + out.size(); block += bytes) {
    if (t == ir::DType::mxfp4) {  // an E8M0 scale byte: 2^-10 .. 2^-3, halved
      block[0] = static_cast<uint8_t>(117 + rng() % 8);
      continue;
    }
    put_f16(block + d.at);
    if (t == ir::DType::q4_k || t == ir::DType::q5_k || t == ir::DType::q2_k) put_f16(block + d.at + 2);  // dmin
  }
  return out;
}

std::vector<float> weight_row(const void* w, ir::DType wtype, int64_t K, int64_t n) {
  std::vector<float> row(static_cast<size_t>(K));
  if (ir::dtype_panel_rows(wtype) > 1)
    return weight_row(panel_row(static_cast<const uint8_t*>(w), wtype, K, n).data(), ir::panel_base(wtype), K, 0);
  const auto* bytes = static_cast<const uint8_t*>(w) + n * ir::dtype_row_bytes(wtype, K);
  if (wtype == ir::DType::q8_0)
    dequantize_q8_0_row(bytes, K, row.data());
  else if (auto ggml = ggml_type_of(wtype))
    models::dequantize_row(*ggml, bytes, row.data(), K);
  else if (ir::is_kept_from_source(wtype))
    dequantize_small_row(bytes, K, wtype, row.data());
  else
    std::memcpy(row.data(), static_cast<const float*>(w) + n * K, K * sizeof(float));
  return row;
}

std::vector<double> reference_linear(const std::vector<double>& x, const void* w, ir::DType wtype, int64_t T, int64_t K,
                                     int64_t N) {
  std::vector<double> y(static_cast<size_t>(T * N));
  for (int64_t n = 0; n < N; ++n) {
    std::vector<float> wn = weight_row(w, wtype, K, n);
    for (int64_t t = 0; t < T; ++t) {
      double acc = 0;
      for (int64_t k = 0; k < K; ++k) acc += x[t * K + k] * wn[k];
      y[t * N + n] = acc;
    }
  }
  return y;
}

std::vector<double> reference_avg_pool(const float* x, int64_t side, int64_t window, int64_t D) {
  int64_t out_side = side / window;
  std::vector<double> y(static_cast<size_t>(out_side * out_side * D));
  for (int64_t oy = 0; oy < out_side; ++oy)
    for (int64_t ox = 0; ox < out_side; ++ox)
      for (int64_t i = 0; i < D; ++i) {
        double sum = 0;
        for (int64_t gy = oy * window; gy < (oy + 1) * window; ++gy)
          for (int64_t gx = ox * window; gx < (ox + 1) * window; ++gx) sum += x[(gy * side + gx) * D + i];
        y[static_cast<size_t>((oy * out_side + ox) * D + i)] = sum / static_cast<double>(window * window);
      }
  return y;
}

std::vector<double> reference_embedding(const void* table, ir::DType dtype, int64_t D, const int32_t* ids, int64_t T) {
  std::vector<double> y(static_cast<size_t>(T * D));
  std::vector<float> row(static_cast<size_t>(D));
  int64_t row_bytes = ir::dtype_row_bytes(dtype, D);
  for (int64_t t = 0; t < T; ++t) {
    if (ir::is_quantized(dtype) && dtype != ir::DType::q8_0) {
      row = weight_row(table, dtype, D, ids[t]);
      for (int64_t i = 0; i < D; ++i) y[t * D + i] = row[i];
      continue;
    }
    const auto* src = static_cast<const uint8_t*>(table) + ids[t] * row_bytes;
    for (int64_t i = 0; i < D; ++i) {
      if (dtype == ir::DType::f32) {
        std::memcpy(&row[i], src + 4 * i, 4);
      } else if (dtype == ir::DType::f16) {
        uint16_t h;
        std::memcpy(&h, src + 2 * i, 2);
        row[i] = f16_to_f32(h);
      }
    }
    if (dtype == ir::DType::q8_0) dequantize_q8_0_row(src, D, row.data());
    for (int64_t i = 0; i < D; ++i) y[t * D + i] = row[i];
  }
  return y;
}

std::vector<double> reference_rms_norm(const float* x, int64_t T, int64_t D, const float* w, int64_t G, double eps,
                                       double offset) {
  std::vector<double> y(static_cast<size_t>(T * D));
  for (int64_t g = 0; g < T * D; g += G) {
    double ss = 0;
    for (int64_t i = 0; i < G; ++i) ss += static_cast<double>(x[g + i]) * x[g + i];
    double inv = 1.0 / std::sqrt(ss / G + eps);
    for (int64_t i = 0; i < G; ++i) y[g + i] = x[g + i] * inv * (w[i] + offset);
  }
  return y;
}

std::vector<double> reference_layer_norm(const float* x, int64_t T, int64_t D, const float* w, const float* b,
                                         double eps) {
  std::vector<double> y(static_cast<size_t>(T * D));
  for (int64_t t = 0; t < T; ++t) {
    const float* r = x + t * D;
    double mean = 0, var = 0;
    for (int64_t i = 0; i < D; ++i) mean += r[i];
    mean /= D;
    for (int64_t i = 0; i < D; ++i) var += (r[i] - mean) * (r[i] - mean);
    double inv = 1.0 / std::sqrt(var / D + eps);
    for (int64_t i = 0; i < D; ++i) y[t * D + i] = (r[i] - mean) * inv * w[i] + b[i];
  }
  return y;
}

double ref_elementwise(const std::string& kind, double a, double b, double factor) {
  if (kind == "add") return a + b;
  if (kind == "mul") return a * b;
  if (kind == "scale") return a * factor;
  return ref_activation(kind, a);
}

std::vector<double> reference_rope(const float* x, int64_t T, int64_t W, const int32_t* positions, int64_t head_dim,
                                   double base, bool neox) {
  std::vector<double> freqs;
  for (int64_t i = 0; i < head_dim / 2; ++i) freqs.push_back(std::pow(base, -2.0 * i / head_dim));
  return reference_rope(x, T, W, positions, head_dim, freqs, neox);
}

std::vector<double> reference_rope(const float* x, int64_t T, int64_t W, const int32_t* positions, int64_t head_dim,
                                   const std::vector<double>& freqs, bool neox) {
  std::vector<double> y(static_cast<size_t>(T * W));
  const auto half = static_cast<int64_t>(freqs.size());  // pairs: the first 2 * half features turn
  for (int64_t t = 0; t < T; ++t) {
    for (int64_t h = 0; h < W; h += head_dim) {
      const float* xh = x + t * W + h;
      double* yh = y.data() + t * W + h;
      for (int64_t i = 2 * half; i < head_dim; ++i) yh[i] = xh[i];
      for (int64_t i = 0; i < half; ++i) {
        double angle = static_cast<double>(positions[t]) * freqs[static_cast<size_t>(i)];
        double c = std::cos(angle), s = std::sin(angle);
        int64_t a = neox ? i : 2 * i, b = neox ? i + half : 2 * i + 1;
        yh[a] = xh[a] * c - xh[b] * s;
        yh[b] = xh[a] * s + xh[b] * c;
      }
    }
  }
  return y;
}

}  // namespace lmc::test
