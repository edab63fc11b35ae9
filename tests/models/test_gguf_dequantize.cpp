// Dequantizers against gguf-py on random blocks of every supported type (random bits,
// finite f16 scales), and the f16/bf16 conversions they rest on.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <fstream>
#include <random>

#include "expect_error.h"
#include "ir/half.h"
#include "models/dequantize.h"
#include "temp_dir.h"

namespace lmc::models {
namespace {

TEST(Dequantize, RandomBlocksMatchGgufPyBitForBit) {
  test::TempDir dir;
  ASSERT_TRUE(test::run_python("tests/reference/dequant_reference.py synthetic '" +
                               dir.path().string() + "'"));
  std::ifstream manifest(dir.file("synthetic.txt"));
  uint32_t type_id;
  int64_t count;
  std::string raw_file, values_file;
  int types = 0;
  while (manifest >> type_id >> count >> raw_file >> values_file) {
    const GgmlType type = GgmlType(type_id);
    SCOPED_TRACE(ggml_type_name(type));
    ASSERT_TRUE(can_dequantize(type));
    const std::vector<uint8_t> raw = test::read_bytes(dir.file(raw_file));
    const std::vector<float> want = test::read_floats(dir.file(values_file));
    ASSERT_EQ(int64_t(want.size()), count);
    ASSERT_EQ(raw.size(), ggml_row_bytes(type, count));
    std::vector<float> got(want.size());
    dequantize_row(type, raw.data(), got.data(), count);
    const int64_t diff = test::first_bit_difference(got.data(), want.data(), want.size());
    EXPECT_EQ(diff, -1) << "value " << diff;
    ++types;
  }
  EXPECT_EQ(types, 11);
}

TEST(Dequantize, BlockLayouts) {
  EXPECT_EQ(ggml_row_bytes(GgmlType::Q8_0, 640), 20u * 34u);
  EXPECT_EQ(ggml_row_bytes(GgmlType::Q4_K, 512), 2u * 144u);
  EXPECT_EQ(ggml_row_bytes(GgmlType::Q6_K, 256), 210u);
  EXPECT_EQ(ggml_row_bytes(GgmlType::F16, 3), 6u);
  EXPECT_EQ(ggml_block_info(GgmlType::Q5_1).type_size, 24);
  EXPECT_EQ(ggml_block_info(16), nullptr);  // ids ggml retired or never used
  EXPECT_EQ(ggml_block_info(99), nullptr);
  EXPECT_STREQ(ggml_type_name(GgmlType::Q4_K), "q4_K");
}

TEST(Dequantize, RejectsUnsupportedTypesAndPartialBlocks) {
  std::vector<uint8_t> src(1024);
  std::vector<float> dst(512);
  EXPECT_FALSE(can_dequantize(GgmlType::Q2_K));
  test::expect_error([&] { dequantize_row(GgmlType::Q2_K, src.data(), dst.data(), 256); },
                     {"q2_K"});
  test::expect_error([&] { dequantize_row(GgmlType::Q8_0, src.data(), dst.data(), 33); },
                     {"not whole q8_0 blocks"});
}

TEST(Half, F16ValuesDecode) {
  EXPECT_EQ(f16_to_f32(0x3c00), 1.0f);
  EXPECT_EQ(f16_to_f32(0xc000), -2.0f);
  EXPECT_EQ(f16_to_f32(0x7bff), 65504.0f);
  EXPECT_EQ(f16_to_f32(0x0400), 0x1p-14f);
  EXPECT_EQ(f16_to_f32(0x0001), 0x1p-24f);
  EXPECT_EQ(f16_to_f32(0x83ff), -1023 * 0x1p-24f);
  EXPECT_EQ(std::bit_cast<uint32_t>(f16_to_f32(0x8000)), 0x80000000u);
  EXPECT_EQ(f16_to_f32(0x7c00), INFINITY);
  EXPECT_TRUE(std::isnan(f16_to_f32(0x7e00)));
}

TEST(Half, EveryF16RoundTrips) {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    const float f = f16_to_f32(uint16_t(h));
    if (std::isnan(f)) {
      EXPECT_EQ(f32_to_f16(f) & 0x7e00, 0x7e00) << h;  // stays a quiet NaN
      continue;
    }
    ASSERT_EQ(f32_to_f16(f), h) << h;
  }
}

// The correctly rounded f16 of x: nearest by value, ties to the even bit pattern.
bool is_nearest_even_f16(float x, uint16_t h) {
  const auto err = [&](uint16_t c) { return std::fabs(double(x) - double(f16_to_f32(c))); };
  const uint16_t mag = h & 0x7fff;
  for (int step : {-1, 1}) {
    const int neighbour = int(mag) + step;
    if (neighbour < 0 || neighbour > 0x7bff) continue;
    const uint16_t n = uint16_t((h & 0x8000) | neighbour);
    if (err(n) < err(h) || (err(n) == err(h) && (h & 1))) return false;
  }
  return true;
}

TEST(Half, F32ToF16RoundsToNearestEven) {
  std::mt19937 rng(7);
  // Magnitudes below 65520 (the first value that rounds to infinity), any sign.
  std::uniform_int_distribution<uint32_t> bits(0, 0x477fefffu);
  for (int i = 0; i < 2000000; ++i) {
    const uint32_t b = bits(rng) | (i % 2 ? 0x80000000u : 0);
    const float x = std::bit_cast<float>(b);
    ASSERT_TRUE(is_nearest_even_f16(x, f32_to_f16(x))) << std::hex << b;
  }
  EXPECT_EQ(f32_to_f16(65519.0f), 0x7bff);
  EXPECT_EQ(f32_to_f16(65520.0f), 0x7c00);
  EXPECT_EQ(f32_to_f16(-1e10f), 0xfc00);
  EXPECT_EQ(f32_to_f16(0x1p-25f), 0x0000);                    // tie with 0: even
  EXPECT_EQ(f32_to_f16(std::nextafter(0x1p-25f, 1.0f)), 0x0001);
  EXPECT_EQ(f32_to_f16(3 * 0x1p-25f), 0x0002);                // tie: 1 and 2, even wins
  EXPECT_EQ(f32_to_f16(1.0f + 0x1p-11f), 0x3c00);             // tie above 1.0
  EXPECT_EQ(f32_to_f16(1.0f + 3 * 0x1p-11f), 0x3c02);
}

TEST(Half, Bf16RoundTripsAndRoundsToNearestEven) {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    const float f = bf16_to_f32(uint16_t(h));
    if (std::isnan(f)) {
      EXPECT_TRUE(std::isnan(bf16_to_f32(f32_to_bf16(f)))) << h;
      continue;
    }
    ASSERT_EQ(f32_to_bf16(f), h) << h;
  }
  EXPECT_EQ(f32_to_bf16(std::bit_cast<float>(0x3f808000u)), 0x3f80);  // tie: even
  EXPECT_EQ(f32_to_bf16(std::bit_cast<float>(0x3f818000u)), 0x3f82);  // tie: even
  EXPECT_EQ(f32_to_bf16(std::bit_cast<float>(0x3f808001u)), 0x3f81);
  EXPECT_EQ(f32_to_bf16(std::bit_cast<float>(0x7f7fffffu)), 0x7f80);  // rounds to inf
  EXPECT_EQ(f32_to_bf16(std::bit_cast<float>(0x7f800001u)), 0x7fc0);  // signalling NaN quieted
}

}  // namespace
}  // namespace lmc::models
