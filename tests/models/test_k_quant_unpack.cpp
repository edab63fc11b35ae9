// A file's Q4_K, Q5_K and Q6_K super-blocks unpacked into q4_1f / q5_1f / q8_2f blocks of
// 32 (models/k_quant_unpack.h): every value (d * q + m; q8_2f's d of its half * q) of the
// unpacked blocks equals ggml's dequantization of the super-block, bit for bit, and a
// weight source hands them out for a tensor so stored.
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

// Random super-blocks whose f16 d (and dmin) are finite, of both signs and many
// magnitudes: Q4_K's and Q5_K's lead the block, Q6_K's d ends it.
std::vector<uint8_t> random_super_blocks(GgmlType t, int64_t n, uint32_t seed) {
  const int64_t bytes = ggml_block_info(t).type_size;
  const std::vector<int64_t> fields = t == GgmlType::Q6_K ? std::vector<int64_t>{208} : std::vector<int64_t>{0, 2};
  std::mt19937 rng(seed);
  std::normal_distribution<float> scale(0.0f, 0.05f);
  std::vector<uint8_t> v(static_cast<size_t>(n * bytes));
  for (auto& b : v) b = static_cast<uint8_t>(rng());
  for (int64_t b = 0; b < n; ++b)
    for (int64_t at : fields) {
      uint16_t h = f32_to_f16(scale(rng));
      std::memcpy(v.data() + b * bytes + at, &h, 2);
    }
  return v;
}

// The values of q8_2f blocks: the f32 d of each half of 16 times the signed byte.
std::vector<float> q8_2f_values(const std::vector<uint8_t>& blocks) {
  std::vector<float> out;
  for (size_t at = 0; at < blocks.size(); at += 40) {
    float d[2];
    std::memcpy(d, blocks.data() + at, 8);
    for (int j = 0; j < 32; ++j) out.push_back(d[j / 16] * static_cast<float>(static_cast<int8_t>(blocks[at + 8 + j])));
  }
  return out;
}

// The values of q4_1f / q5_1f blocks: d * q + m, q's fifth bit from the 32-bit word.
std::vector<float> values_of(const std::vector<uint8_t>& blocks, ir::DType t) {
  if (t == ir::DType::q8_2f) return q8_2f_values(blocks);
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
  for (GgmlType t : {GgmlType::Q4_K, GgmlType::Q5_K, GgmlType::Q6_K}) {
    constexpr int64_t kBlocks = 16;
    auto raw = random_super_blocks(t, kBlocks, 7);
    std::vector<float> want(kBlocks * 256);
    dequantize_row(t, raw.data(), want.data(), kBlocks * 256);
    ir::DType to = *unpacked_k_type(t);
    auto got = values_of(unpack_k_quant(raw.data(), kBlocks, t), to);
    ASSERT_EQ(got.size(), want.size());
    EXPECT_EQ(0, std::memcmp(got.data(), want.data(), want.size() * sizeof(float))) << ir::dtype_name(to);
  }
  EXPECT_EQ(unpacked_k_type(GgmlType::Q3_K), std::nullopt);
}

// Q6_K's layout spelled out once more, apart from the decoder: value 32s + l of each half
// of 128 takes the low (s < 2) or high nibble of byte 32(s % 2) + l and bits 2s, 2s + 1 of
// high byte l; its sub-block of 16 the signed scale byte 192 + i / 16.
TEST(KQuantUnpack, Q6KValuesSitWhereGgmlPutsThem) {
  std::vector<uint8_t> block(210, 0);
  const uint16_t one = f32_to_f16(1.0f);
  std::memcpy(block.data() + 208, &one, 2);
  for (int sub = 0; sub < 16; ++sub) block[192 + sub] = static_cast<uint8_t>(sub + 1);
  block[5] = 0x30;        // value 64 + 5 (half 0, s = 2: high nibble of byte 5) = 3
  block[128 + 5] = 0x20;  // and its high bits (2s = 4: 0b10) = 32: quant 35 - 32 = 3
  block[64 + 7] = 0x09;   // value 128 + 7 (half 1, s = 0): low nibble 9, high bits 0: 9 - 32
  auto got = q8_2f_values(unpack_k_quant(block.data(), 1, GgmlType::Q6_K));
  EXPECT_EQ(got[69], 3.0f * 5);     // sub-block 69 / 16 = 4: scale 5
  EXPECT_EQ(got[135], -23.0f * 9);  // sub-block 8: scale 9
  EXPECT_EQ(got[0], -32.0f * 1);
}

// A GGUF's K-quant and IQ4 tensors are weights of their own type, the blocks as stored.
TEST(KQuantUnpack, WeightSourceKeepsKQuantTensorsAsStored) {
  struct Case { GgmlType t; ir::DType type; };
  for (Case c : {Case{GgmlType::Q4_K, ir::DType::q4_k}, Case{GgmlType::Q5_K, ir::DType::q5_k},
                 Case{GgmlType::Q6_K, ir::DType::q6_k}, Case{GgmlType::Q3_K, ir::DType::q3_k},
                 Case{GgmlType::Q2_K, ir::DType::q2_k}, Case{GgmlType::IQ4_XS, ir::DType::iq4_xs},
                 Case{GgmlType::IQ4_NL, ir::DType::iq4_nl}}) {
    auto raw = random_super_blocks(c.t, 16 * 256 / ggml_block_info(c.t).block_size, 3);  // [16, 256]
    test::GgufWriter w;
    w.header(1, 0);
    w.tensor_info("w", {256, 16}, static_cast<uint32_t>(c.t), 0).pad_to(32);
    w.bytes.insert(w.bytes.end(), raw.begin(), raw.end());
    test::TempDir dir;
    std::string path = dir.file("k.gguf");
    test::write_bytes(path, w.bytes);
    auto src = WeightSource::open(path);
    const std::string name(ir::dtype_name(c.type));
    EXPECT_EQ(src->stored_dtype("w"), c.type);
    EXPECT_EQ(src->materialize(name + "(w)", c.type), raw) << name;
    EXPECT_EQ(src->materialize(name + "(rows(w,4,8))", c.type),
              std::vector<uint8_t>(raw.begin() + 4 * ir::dtype_row_bytes(c.type, 256),
                                   raw.begin() + 12 * ir::dtype_row_bytes(c.type, 256)))
        << name;
  }
}

}  // namespace
}  // namespace lmc::models
