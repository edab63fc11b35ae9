// A file's Q4_K and Q5_K super-blocks unpacked into q4_1f / q5_1f blocks of 32
// (models/k_quant_unpack.h): every value d * q + m of the unpacked blocks equals ggml's
// dequantization of the super-block, bit for bit, and a weight source hands them out for
// a tensor so stored.
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "gguf_writer.h"
#include "ir/half.h"
#include "models/dequantize.h"
#include "models/k_quant_unpack.h"
#include "models/weight_packing.h"
#include "models/weight_source.h"
#include "temp_dir.h"

namespace lmc::models {
namespace {

// Random super-blocks whose f16 d and dmin are finite, of both signs and many magnitudes.
std::vector<uint8_t> random_super_blocks(GgmlType t, int64_t n, uint32_t seed) {
  const int64_t bytes = t == GgmlType::Q5_K ? 176 : 144;
  std::mt19937 rng(seed);
  std::normal_distribution<float> scale(0.0f, 0.05f);
  std::vector<uint8_t> v(static_cast<size_t>(n * bytes));
  for (auto& b : v) b = static_cast<uint8_t>(rng());
  for (int64_t b = 0; b < n; ++b)
    for (int f = 0; f < 2; ++f) {
      uint16_t h = f32_to_f16(scale(rng));
      std::memcpy(v.data() + b * bytes + 2 * f, &h, 2);
    }
  return v;
}

// The values of q4_1f / q5_1f blocks: d * q + m, q's fifth bit from the 32-bit word.
std::vector<float> values_of(const std::vector<uint8_t>& blocks, ir::DType t) {
  const bool q5 = t == ir::DType::q5_1f;
  const int64_t bytes = ir::dtype_block_bytes(t), nibbles = q5 ? 12 : 8;
  std::vector<float> out;
  for (size_t at = 0; at < blocks.size(); at += static_cast<size_t>(bytes)) {
    const uint8_t* p = blocks.data() + at;
    float d, m;
    uint32_t high = 0;
    std::memcpy(&d, p, 4);
    std::memcpy(&m, p + 4, 4);
    if (q5) std::memcpy(&high, p + 8, 4);
    for (int j = 0; j < 32; ++j) {
      int q = (j < 16 ? p[nibbles + j] & 15 : p[nibbles + j - 16] >> 4) | static_cast<int>((high >> j) & 1) << 4;
      out.push_back(d * static_cast<float>(q) + m);
    }
  }
  return out;
}

TEST(KQuantUnpack, SubBlocksHoldTheFilesValues) {
  for (GgmlType t : {GgmlType::Q4_K, GgmlType::Q5_K}) {
    constexpr int64_t kBlocks = 16;
    auto raw = random_super_blocks(t, kBlocks, 7);
    std::vector<float> want(kBlocks * 256);
    dequantize_row(t, raw.data(), want.data(), kBlocks * 256);
    ir::DType to = *unpacked_k_type(t);
    auto got = values_of(unpack_k_quant(raw.data(), kBlocks, t), to);
    ASSERT_EQ(got.size(), want.size());
    EXPECT_EQ(0, std::memcmp(got.data(), want.data(), want.size() * sizeof(float))) << ir::dtype_name(to);
  }
  EXPECT_EQ(unpacked_k_type(GgmlType::Q6_K), std::nullopt);
}

TEST(KQuantUnpack, WeightSourceKeepsAQ4KTensorUnpacked) {
  constexpr uint32_t kTypeQ4_K = 12;
  auto raw = random_super_blocks(GgmlType::Q4_K, 16, 3);  // [16, 256]
  test::GgufWriter w;
  w.header(1, 0);
  w.tensor_info("w", {256, 16}, kTypeQ4_K, 0).pad_to(32);
  w.bytes.insert(w.bytes.end(), raw.begin(), raw.end());
  test::TempDir dir;
  std::string path = dir.file("k.gguf");
  test::write_bytes(path, w.bytes);
  auto src = WeightSource::open(path);
  EXPECT_EQ(src->stored_dtype("w"), ir::DType::q4_1f);
  auto unpacked = unpack_k_quant(raw.data(), 16, GgmlType::Q4_K);
  EXPECT_EQ(src->materialize("q4_1f(w)", ir::DType::q4_1f), unpacked);
  EXPECT_EQ(src->materialize("q4_1fx16(w)", ir::DType::q4_1fx16),
            interleave_panels(unpacked, ir::DType::q4_1fx16, 16, 256));
}

}  // namespace
}  // namespace lmc::models
