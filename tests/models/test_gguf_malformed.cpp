// The GGUF reader on files built byte by byte: a well-formed file with every metadata
// type, then one defect at a time. Each defect must end in an lmc::Error naming the file
// and the byte offset, never in a crash or a huge allocation.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "expect_error.h"
#include "gguf_writer.h"
#include "models/formats/gguf_file.h"
#include "models/quant/dequantize.h"
#include "support/half.h"
#include "temp_dir.h"

namespace lmc::models {
namespace {

using test::GgufWriter;

constexpr uint32_t kTypeF32 = 0, kTypeQ8_0 = 8, kTypeQ8_1 = 9, kTypeQ4_K = 12, kTypeIQ2_XXS = 16, kTypeF64 = 28;

// Metadata of every value type, nested arrays included: 16 keys.
void write_metadata(GgufWriter& w) {
  w.key("t.u8", test::kU8).put<uint8_t>(200);
  w.key("t.i8", test::kI8).put<int8_t>(-100);
  w.key("t.u16", test::kU16).put<uint16_t>(60000);
  w.key("t.i16", test::kI16).put<int16_t>(-30000);
  w.key("t.u32", test::kU32).put<uint32_t>(4000000000u);
  w.key("t.i32", test::kI32).put<int32_t>(-2000000000);
  w.key("t.u64", test::kU64).put<uint64_t>(9223372036854775813ull);
  w.key("t.i64", test::kI64).put<int64_t>(std::numeric_limits<int64_t>::min());
  w.key("t.f32", test::kF32).put<float>(0.1f);
  w.key("t.f64", test::kF64).put<double>(0.1);
  w.key("t.bool", test::kBool).put<uint8_t>(1);
  w.key("t.str", test::kString).str("h\xc3\xa9llo");
  w.key("t.ints", test::kArray).u32(test::kI32).u64(3).put<int32_t>(1).put<int32_t>(-2).put<int32_t>(3);
  w.key("t.strs", test::kArray).u32(test::kString).u64(2).str("a").str("bc");
  w.key("t.nested", test::kArray).u32(test::kArray).u64(2);
  w.u32(test::kU8).u64(2).put<uint8_t>(1).put<uint8_t>(2);
  w.u32(test::kU8).u64(1).put<uint8_t>(3);
  w.key("t.empty", test::kArray).u32(test::kF32).u64(0);
}
constexpr uint64_t kMetadataKeys = 16;

// A complete file: metadata, an f32 [2,3] tensor "a" and a q8_0 [1,32] tensor "q".
std::vector<uint8_t> valid_file(uint32_t version = 3, uint32_t alignment = 0) {
  const uint64_t align = alignment ? alignment : 32;
  GgufWriter w;
  w.header(2, kMetadataKeys + (alignment ? 1 : 0), version);
  write_metadata(w);
  if (alignment) w.key("general.alignment", test::kU32).u32(alignment);
  const uint64_t q_offset = (24 + align - 1) / align * align;
  w.tensor_info("a", {3, 2}, kTypeF32, 0);
  w.tensor_info("q", {32}, kTypeQ8_0, q_offset);
  w.pad_to(align);
  for (int i = 0; i < 6; ++i) w.put<float>(float(i) - 2.5f);
  w.pad_to(align);
  w.put<uint16_t>(f32_to_f16(0.5f));
  for (int i = 0; i < 32; ++i) w.put<int8_t>(int8_t(i - 16));
  return w.bytes;
}

class GgufSynthetic : public ::testing::Test {
 protected:
  std::string write(const std::vector<uint8_t>& bytes) {
    const std::string path = dir_.file("t" + std::to_string(files_++) + ".gguf");
    test::write_bytes(path, bytes);
    return path;
  }
  // The file must be rejected with "<path>:offset <N>: error: ..." mentioning `what`.
  void expect_rejected(const std::vector<uint8_t>& bytes, const std::string& what) {
    const std::string path = write(bytes);
    test::expect_error([&] { GgufFile::open(path); }, {path + ":offset ", ": error: ", what});
  }

  test::TempDir dir_;
  int files_ = 0;
};

TEST_F(GgufSynthetic, ReadsEveryMetadataType) {
  const auto f = GgufFile::open(write(valid_file()));
  EXPECT_EQ(f->version(), 3u);
  EXPECT_EQ(f->metadata().size(), kMetadataKeys);
  EXPECT_EQ(std::get<uint64_t>(f->find("t.u8")->v), 200u);
  EXPECT_EQ(std::get<int64_t>(f->find("t.i8")->v), -100);
  EXPECT_EQ(std::get<uint64_t>(f->find("t.u16")->v), 60000u);
  EXPECT_EQ(std::get<int64_t>(f->find("t.i16")->v), -30000);
  EXPECT_EQ(f->get_int("t.u32"), 4000000000);
  EXPECT_EQ(f->get_int("t.i32"), -2000000000);
  EXPECT_EQ(std::get<uint64_t>(f->find("t.u64")->v), 9223372036854775813ull);
  EXPECT_EQ(f->get_int("t.i64"), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(f->get_float("t.f32"), double(0.1f));
  EXPECT_EQ(f->get_float("t.f64"), 0.1);
  EXPECT_EQ(std::get<bool>(f->find("t.bool")->v), true);
  EXPECT_EQ(f->get_string("t.str"), "h\xc3\xa9llo");
  EXPECT_EQ(f->get_ints("t.ints"), (std::vector<int64_t>{1, -2, 3}));
  EXPECT_EQ(f->get_floats("t.ints"), (std::vector<double>{1, -2, 3}));
  EXPECT_EQ(f->get_strings("t.strs"), (std::vector<std::string>{"a", "bc"}));
  const MetaArray& nested = std::get<MetaArray>(f->find("t.nested")->v);
  ASSERT_EQ(nested.size(), 2u);
  const MetaArray& inner = std::get<MetaArray>(nested[0].v);
  ASSERT_EQ(inner.size(), 2u);
  EXPECT_EQ(std::get<uint64_t>(inner[1].v), 2u);
  EXPECT_EQ(std::get<MetaArray>(nested[1].v).size(), 1u);
  EXPECT_TRUE(f->get_floats("t.empty").empty());
  // A uint64 past int64's range is not an int64.
  test::expect_error([&] { f->get_int("t.u64"); }, {":offset ", "t.u64"});
}

TEST_F(GgufSynthetic, ReadsTensorsInBothVersionsAndAlignments) {
  for (uint32_t version : {2u, 3u}) {
    for (uint32_t alignment : {0u, 8u, 64u, 256u}) {
      SCOPED_TRACE("v" + std::to_string(version) + " alignment " + std::to_string(alignment));
      const auto f = GgufFile::open(write(valid_file(version, alignment)));
      EXPECT_EQ(f->version(), version);
      EXPECT_EQ(f->alignment(), alignment ? alignment : 32u);
      ASSERT_EQ(f->tensors().size(), 2u);
      const GgufTensor& a = f->tensors()[0];
      EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 3}));
      EXPECT_EQ(a.offset % f->alignment(), 0u);
      EXPECT_EQ(f->to_f32(a), (std::vector<float>{-2.5f, -1.5f, -0.5f, 0.5f, 1.5f, 2.5f}));
      const GgufTensor* q = f->find_tensor("q");
      ASSERT_NE(q, nullptr);
      EXPECT_EQ(q->nbytes, 34u);
      const std::vector<float> qv = f->to_f32(*q);
      for (int i = 0; i < 32; ++i) EXPECT_EQ(qv[size_t(i)], 0.5f * float(i - 16));
    }
  }
}

TEST_F(GgufSynthetic, EveryTruncationIsAnError) {
  const std::vector<uint8_t> whole = valid_file();
  for (size_t n = 0; n < whole.size(); ++n) {
    SCOPED_TRACE("prefix of " + std::to_string(n) + " bytes");
    expect_rejected(std::vector<uint8_t>(whole.begin(), whole.begin() + long(n)), "");
  }
}

TEST_F(GgufSynthetic, RejectsBadHeaders) {
  GgufWriter magic;
  magic.bytes = {'G', 'G', 'U', 'X', 3, 0, 0, 0};
  expect_rejected(magic.bytes, "bad magic");
  expect_rejected(GgufWriter().header(0, 0, 1).bytes, "unsupported GGUF version 1");
  expect_rejected(GgufWriter().header(0, 0, 0x03000000).bytes, "big-endian");
  expect_rejected(GgufWriter().header(0, uint64_t(1) << 40).bytes, "metadata count 1099511627776 cannot fit");
  expect_rejected(GgufWriter().header(uint64_t(1) << 40, 0).bytes,
                  "offset 8: error: tensor count 1099511627776 cannot fit");
}

// Zero bytes after the defect, so that counts checked earlier still fit and the
// defect itself is what the reader trips on.
std::vector<uint8_t> with_tail(GgufWriter& w) {
  w.bytes.resize(w.bytes.size() + 64);
  return w.bytes;
}

TEST_F(GgufSynthetic, RejectsBadMetadata) {
  const auto one_key = [] { return GgufWriter().header(0, 1); };
  expect_rejected(with_tail(one_key().u64(uint64_t(1) << 50)), "metadata key length");
  expect_rejected(with_tail(one_key().key("k", test::kString).u64(1000)), "string value length 1000");
  expect_rejected(one_key().key("k", 13).u32(0).bytes, "unknown metadata value type 13");
  expect_rejected(one_key().key("k", test::kBool).put<uint8_t>(2).bytes, "bool value 2");
  expect_rejected(one_key().key("k", test::kArray).u32(test::kU32).u64(uint64_t(1) << 60).bytes, "array count");
  expect_rejected(one_key().key("k", test::kArray).u32(42).u64(1).bytes, "unknown array element type 42");
  expect_rejected(
      GgufWriter().header(0, 2).key("k", test::kU8).put<uint8_t>(1).key("k", test::kU8).put<uint8_t>(2).bytes,
      "duplicate metadata key 'k'");
  GgufWriter deep = one_key();
  deep.key("k", test::kArray);
  for (int i = 0; i < 40; ++i) deep.u32(test::kArray).u64(1);
  expect_rejected(deep.bytes, "nested deeper than 16");
  expect_rejected(one_key().key("general.alignment", test::kU32).u32(24).bytes, "not a power of two");
  expect_rejected(one_key().key("general.alignment", test::kU64).u64(32).bytes, "general.alignment must be a uint32");
}

// A file with one tensor described by the arguments and 64 bytes of data.
std::vector<uint8_t> one_tensor(const std::vector<uint64_t>& ne, uint32_t type, uint64_t offset = 0) {
  GgufWriter w;
  w.header(1, 0).tensor_info("x", ne, type, offset).pad_to(32);
  w.bytes.resize(w.bytes.size() + 64);
  return w.bytes;
}

TEST_F(GgufSynthetic, RejectsBadTensorInfo) {
  expect_rejected(with_tail(GgufWriter().header(1, 0).u64(uint64_t(1) << 40)), "tensor name length");
  expect_rejected(one_tensor({4, 0}, kTypeF32), "dimension 1 is 0");
  expect_rejected(one_tensor({1, 1, 1, 1, 1}, kTypeF32), "5 dimensions");
  expect_rejected(one_tensor({}, kTypeF32), "0 dimensions");
  expect_rejected(one_tensor({uint64_t(1) << 32, uint64_t(1) << 32}, kTypeF32), "element count overflows");
  expect_rejected(one_tensor({uint64_t(1) << 63}, kTypeF32), "must be positive");
  expect_rejected(one_tensor({uint64_t(1) << 31, uint64_t(1) << 31}, kTypeF64), "byte size overflows");
  expect_rejected(one_tensor({4}, 31), "unknown ggml type 31");  // retired by ggml
  expect_rejected(one_tensor({4}, 42), "unknown ggml type 42");
  expect_rejected(one_tensor({4}, 99), "unknown ggml type 99");
  expect_rejected(one_tensor({32}, kTypeIQ2_XXS), "not a multiple of the iq2_xxs block size 256");
  expect_rejected(one_tensor({256}, kTypeIQ2_XXS), "runs past the end of the file");  // 66 > 64 bytes
  expect_rejected(one_tensor({33}, kTypeQ8_0), "not a multiple of the q8_0 block size 32");
  expect_rejected(one_tensor({255}, kTypeQ4_K), "block size 256");
  expect_rejected(one_tensor({4}, kTypeF32, 4), "not a multiple of the alignment 32");
  expect_rejected(one_tensor({4}, kTypeF32, uint64_t(1) << 40), "runs past the end of the file");
  expect_rejected(one_tensor({4}, kTypeF32, ~uint64_t(31)), "runs past the end of the file");
  expect_rejected(one_tensor({17}, kTypeF32), "runs past the end of the file");  // 68 > 64 bytes
  GgufWriter dup;
  dup.header(2, 0).tensor_info("x", {4}, kTypeF32, 0).tensor_info("x", {4}, kTypeF32, 32).pad_to(32);
  dup.bytes.resize(dup.bytes.size() + 64);
  expect_rejected(dup.bytes, "duplicate tensor name 'x'");
}

// Random byte corruption anywhere in a file either still parses (then every tensor reads
// within bounds) or is an lmc::Error; anything else (a crash, a std::bad_alloc) fails.
TEST_F(GgufSynthetic, RandomCorruptionIsReadSafelyOrRejected) {
  const std::vector<uint8_t> whole = valid_file(3, 64);
  std::mt19937 rng(5);
  int rejected = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    std::vector<uint8_t> bytes = whole;
    const int flips = 1 + int(rng() % 4);
    for (int i = 0; i < flips; ++i) bytes[rng() % bytes.size()] = uint8_t(rng());
    const std::string path = write(bytes);
    try {
      const auto f = GgufFile::open(path);
      for (const GgufTensor& t : f->tensors())
        if (can_dequantize(t.type)) f->to_f32(t);
    } catch (const Error& e) {
      ASSERT_NE(std::string(e.what()).find(path + ":offset "), std::string::npos) << e.what();
      ++rejected;
    }
  }
  EXPECT_GT(rejected, 100);
}

TEST_F(GgufSynthetic, RejectsMissingFiles) {
  const std::string missing = dir_.file("missing.gguf");
  test::expect_error([&] { GgufFile::open(missing); }, {missing, "cannot open"});
  test::expect_error([&] { GgufFile::open(dir_.path().string()); }, {"not a regular file"});
}

TEST_F(GgufSynthetic, ToF32RefusesTypesWithoutADecoder) {
  const std::vector<uint8_t> bytes = one_tensor({32}, kTypeQ8_1);
  const auto f = GgufFile::open(write(bytes));
  test::expect_error([&] { f->to_f32(f->tensors()[0]); }, {":offset ", "cannot dequantize", "q8_1"});
}

}  // namespace
}  // namespace lmc::models
