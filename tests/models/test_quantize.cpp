// The quantizers against the dequantizers, ggml's layouts' reference: every type quantize_row
// writes reads back through dequantize_row within its rounding's bound, so each scale, min
// and quant sits where ggml's decoder looks for it (a field out of place is off by the
// values' own scale, far beyond the bound).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "expect_error.h"
#include "models/quant/dequantize.h"
#include "models/quant/quantize.h"

namespace lmc::models {
namespace {

constexpr int64_t kValues = 16 * 256;

// Normal values with blocks of other kinds among them: all positive (the offset types' min
// above zero), large, tiny, all zero and one outlier, which the scales must span.
std::vector<float> values() {
  std::mt19937 rng(7);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> x(kValues);
  for (float& v : x) v = normal(rng);
  for (int64_t i = 256; i < 512; ++i) x[i] = 3.0f + std::fabs(x[i]);
  for (int64_t i = 512; i < 768; ++i) x[i] *= 100.0f;
  for (int64_t i = 768; i < 1024; ++i) x[i] *= 1e-3f;
  std::fill(x.begin() + 1024, x.begin() + 1280, 0.0f);
  x[1500] = 12.0f;
  return x;
}

std::vector<float> round_trip(GgmlType t, const std::vector<float>& x) {
  std::vector<uint8_t> blocks(ggml_row_bytes(t, kValues));
  quantize_row(t, x.data(), blocks.data(), kValues);
  std::vector<float> y(x.size());
  dequantize_row(t, blocks.data(), y.data(), kValues);
  return y;
}

// Each super-block's largest error, as a fraction of its largest |value|. A symmetric type of
// b bits maps a block's value of largest magnitude to -2^(b-1) and clamps the other side at
// 2^(b-1) - 1, so a value may be off by a whole step, 1/2^(b-1); an offset type (_1, the
// affine K types) by half a step of a range up to twice it, 1/(2^b - 1). A tenth more for
// the f16 scales and the K types' sub-block scales rounded to a few bits. The IQ4 types map
// the largest |value| to -127 of a table reaching 113 on the other side (14/127 the widest
// miss); MXFP4 puts it at 4 to 8 of E2M1's units, whose largest is 6 (a quarter).
TEST(Quantize, EveryTypeReadsBackWithinItsRounding) {
  struct Case {
    GgmlType t;
    float bound;
  };
  const auto symmetric = [](int bits) { return 1.1f / float(1 << (bits - 1)); };
  const auto offset = [](int bits) { return 1.1f / float((1 << bits) - 1); };
  const std::vector<float> x = values();
  for (Case c :
       {Case{GgmlType::F32, 0}, Case{GgmlType::F16, 0x1p-11f}, Case{GgmlType::BF16, 0x1p-8f},
        Case{GgmlType::Q8_0, symmetric(8)}, Case{GgmlType::Q5_0, symmetric(5)}, Case{GgmlType::Q5_1, offset(5)},
        Case{GgmlType::Q4_0, symmetric(4)}, Case{GgmlType::Q4_1, offset(4)}, Case{GgmlType::Q6_K, symmetric(6)},
        Case{GgmlType::Q5_K, offset(5)}, Case{GgmlType::Q4_K, offset(4)}, Case{GgmlType::Q3_K, symmetric(3)},
        Case{GgmlType::Q2_K, offset(2)}, Case{GgmlType::IQ4_NL, 1.1f * 14 / 127},
        Case{GgmlType::IQ4_XS, 1.1f * 14 / 127}, Case{GgmlType::MXFP4, 1.1f / 4}}) {
    SCOPED_TRACE(ggml_type_name(c.t));
    ASSERT_TRUE(can_quantize(c.t));
    const std::vector<float> y = round_trip(c.t, x);
    for (int64_t b = 0; b < kValues; b += 256) {
      float amax = 0, err = 0;
      for (int64_t i = b; i < b + 256; ++i) {
        amax = std::max(amax, std::fabs(x[i]));
        err = std::max(err, std::fabs(y[i] - x[i]));
      }
      EXPECT_LE(err, c.bound * amax) << "values " << b << " to " << b + 255;
    }
  }
}

// Q8_0's quants are its values over the scale rounded half away from zero, as lround rounds
// them: a block whose largest |value| is 127 has scale 1, so each value is its own quant.
TEST(Quantize, Q8_0RoundsHalfAwayFromZero) {
  std::vector<float> x(32, 0.0f);
  const std::vector<float> ties = {127.0f,       -127.0f, 2.5f,    -2.5f,      0.5f,       -0.5f,  0.49999997f,
                                   -0.49999997f, 126.5f,  -126.5f, 3.4999998f, 1.5000001f, -7.75f, 64.25f};
  std::copy(ties.begin(), ties.end(), x.begin());
  std::vector<uint8_t> block(ggml_row_bytes(GgmlType::Q8_0, 32));
  quantize_row(GgmlType::Q8_0, x.data(), block.data(), 32);
  for (size_t j = 0; j < x.size(); ++j)
    EXPECT_EQ(static_cast<int8_t>(block[2 + j]), std::lround(x[j])) << "value " << x[j];
}

// A type lmc decodes but does not write (its kernels do not keep it), and a row that is not
// whole blocks, are errors naming the type.
TEST(Quantize, RefusesWhatItCannotWrite) {
  EXPECT_FALSE(can_quantize(GgmlType::IQ2_XXS));
  std::vector<float> x(256);
  std::vector<uint8_t> out(256);
  test::expect_error([&] { quantize_row(GgmlType::IQ2_XXS, x.data(), out.data(), 256); }, {"iq2_xxs"});
  test::expect_error([&] { quantize_row(GgmlType::Q4_K, x.data(), out.data(), 96); }, {"96", "q4_K"});
}

}  // namespace
}  // namespace lmc::models
