// Dequantizers against gguf-py on random blocks of every supported type (random bits,
// finite scales), and the f16/bf16 conversions they rest on.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <fstream>
#include <random>

#include "expect_error.h"
#include "models/formats/gguf_file.h"
#include "models/quant/dequantize.h"
#include "support/half.h"
#include "temp_dir.h"

namespace lmc::models {
namespace {

// Bits equal, or both NaN: numpy and the FPU may quiet a NaN's payload differently.
bool same_value(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0 || (std::isnan(a) && std::isnan(b)); }

// One tensor of every type gguf-py dequantizes (and F64 and the integer types), written by
// gguf-py's GGUFWriter and read through lmc's GGUF reader.
TEST(Dequantize, EveryTypeMatchesGgufPyBitForBit) {
  test::TempDir dir;
  ASSERT_TRUE(test::run_python("tests/reference/dequant_reference.py synthetic '" + dir.path().string() + "'"));
  const auto file = GgufFile::open(dir.file("synthetic.gguf"));
  std::ifstream manifest(dir.file("synthetic.txt"));
  uint32_t type_id;
  std::string name, values_file;
  int64_t count;
  size_t types = 0;
  while (manifest >> type_id >> name >> count >> values_file) {
    SCOPED_TRACE(name);
    const GgufTensor* t = file->find_tensor(name);
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(uint32_t(t->type), type_id);
    EXPECT_STREQ(ggml_type_name(t->type), name.c_str());
    ASSERT_TRUE(can_dequantize(t->type));
    const std::vector<float> want = test::read_floats(dir.file(values_file));
    ASSERT_EQ(int64_t(want.size()), count);
    const std::vector<float> got = file->to_f32(*t);
    ASSERT_EQ(got.size(), want.size());
    size_t i = 0;
    while (i < want.size() && same_value(got[i], want[i])) ++i;
    EXPECT_EQ(i, want.size()) << "value " << i << ": " << got[i] << " vs " << want[i];
    ++types;
  }
  EXPECT_EQ(types, file->tensors().size());
  EXPECT_EQ(types, 31u);
}

TEST(Dequantize, BlockLayouts) {
  EXPECT_EQ(ggml_row_bytes(GgmlType::Q8_0, 640), 20u * 34u);
  EXPECT_EQ(ggml_row_bytes(GgmlType::Q4_K, 512), 2u * 144u);
  EXPECT_EQ(ggml_row_bytes(GgmlType::Q6_K, 256), 210u);
  EXPECT_EQ(ggml_row_bytes(GgmlType::F16, 3), 6u);
  EXPECT_EQ(ggml_block_info(GgmlType::Q5_1).type_size, 24);
  EXPECT_EQ(ggml_row_bytes(GgmlType::IQ2_XXS, 512), 2u * 66u);
  EXPECT_EQ(ggml_row_bytes(GgmlType::MXFP4, 64), 2u * 17u);
  EXPECT_EQ(ggml_block_info(31), nullptr);  // ids ggml retired or never used
  EXPECT_EQ(ggml_block_info(42), nullptr);
  EXPECT_EQ(ggml_block_info(99), nullptr);
  EXPECT_STREQ(ggml_type_name(GgmlType::Q4_K), "q4_K");
  EXPECT_STREQ(ggml_type_name(GgmlType::IQ1_M), "iq1_m");
}

TEST(Dequantize, RejectsUnsupportedTypesAndPartialBlocks) {
  std::vector<uint8_t> src(1024);
  std::vector<float> dst(512);
  EXPECT_FALSE(can_dequantize(GgmlType::Q8_K));
  test::expect_error([&] { dequantize_row(GgmlType::Q8_K, src.data(), dst.data(), 256); },
                     {"no decoder for ggml type q8_K"});
  test::expect_error([&] { dequantize_row(GgmlType::Q8_0, src.data(), dst.data(), 33); }, {"not whole q8_0 blocks"});
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
