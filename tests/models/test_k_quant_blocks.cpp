// A file's K-quant super-blocks: Q6_K's values where ggml puts them, and a weight source
// hands the K-quant and IQ4 tensors out as stored (weights keep their blocks).
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "gguf_writer.h"
#include "models/quant/dequantize.h"
#include "models/quant/weight_packing.h"
#include "models/weight_source.h"
#include "support/half.h"
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

// Q6_K's layout spelled out apart from the decoder's code: value 32s + l of each half of
// 128 takes the low (s < 2) or high nibble of byte 32(s % 2) + l and bits 2s, 2s + 1 of high
// byte l; its sub-block of 16 the signed scale byte 192 + i / 16.
TEST(KQuantBlocks, Q6KValuesSitWhereGgmlPutsThem) {
  std::vector<uint8_t> block(210, 0);
  const uint16_t one = f32_to_f16(1.0f);
  std::memcpy(block.data() + 208, &one, 2);
  for (int sub = 0; sub < 16; ++sub) block[192 + sub] = static_cast<uint8_t>(sub + 1);
  block[5] = 0x30;        // value 64 + 5 (half 0, s = 2: high nibble of byte 5) = 3
  block[128 + 5] = 0x20;  // and its high bits (2s = 4: 0b10) = 32: quant 35 - 32 = 3
  block[64 + 7] = 0x09;   // value 128 + 7 (half 1, s = 0): low nibble 9, high bits 0: 9 - 32
  std::vector<float> got(256);
  dequantize_row(GgmlType::Q6_K, block.data(), got.data(), 256);
  EXPECT_EQ(got[69], 3.0f * 5);     // sub-block 69 / 16 = 4: scale 5
  EXPECT_EQ(got[135], -23.0f * 9);  // sub-block 8: scale 9
  EXPECT_EQ(got[0], -32.0f * 1);
}

// A GGUF's K-quant and IQ4 tensors are weights of their own type, the blocks as stored.
TEST(KQuantBlocks, WeightSourceKeepsKQuantTensorsAsStored) {
  struct Case {
    GgmlType t;
    ir::DType type;
  };
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
