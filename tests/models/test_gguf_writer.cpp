// The GGUF writer (lmc exec's seeded params): what it writes, GgufFile reads back as written
// — each tensor's name, type, shape and bytes, whatever its rank and block type — and a
// tensor given the wrong number of bytes is an error naming it.
#include <gtest/gtest.h>

#include <cstring>

#include "expect_error.h"
#include "models/formats/gguf_file.h"
#include "models/formats/gguf_writer.h"
#include "temp_dir.h"

namespace lmc::models {
namespace {

std::vector<uint8_t> bytes_of(const GgufTensorSpec& t, uint8_t seed) {
  int64_t rows = 1;
  for (size_t d = 0; d + 1 < t.shape.size(); ++d) rows *= t.shape[d];
  std::vector<uint8_t> out(static_cast<size_t>(rows) * ggml_row_bytes(t.type, t.shape.back()));
  for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<uint8_t>(seed + i * 31);
  return out;
}

TEST(GgufWriter, GgufFileReadsBackWhatItWrites) {
  test::TempDir dir;
  const std::vector<GgufTensorSpec> tensors = {{"norm", GgmlType::F32, {3}},
                                               {"experts", GgmlType::Q4_0, {2, 3, 64}},
                                               {"blk.0.ffn_down.weight", GgmlType::Q6_K, {4, 256}}};
  const std::string path = dir.file("w.gguf");
  write_gguf(path, tensors, [&](size_t i) { return bytes_of(tensors[i], uint8_t(i)); });
  const auto file = GgufFile::open(path);
  ASSERT_EQ(file->tensors().size(), tensors.size());
  for (size_t i = 0; i < tensors.size(); ++i) {
    SCOPED_TRACE(tensors[i].name);
    const GgufTensor* t = file->find_tensor(tensors[i].name);
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->type, tensors[i].type);
    EXPECT_EQ(t->shape, tensors[i].shape);
    const std::vector<uint8_t> want = bytes_of(tensors[i], uint8_t(i));
    ASSERT_EQ(t->nbytes, want.size());
    EXPECT_EQ(0, std::memcmp(file->data(*t), want.data(), want.size()));
  }
}

TEST(GgufWriter, BytesOfAnotherSizeAreAnErrorNamingTheTensor) {
  test::TempDir dir;
  const std::vector<GgufTensorSpec> tensors = {{"wq", GgmlType::Q5_0, {2, 32}}};
  test::expect_error([&] { write_gguf(dir.file("w.gguf"), tensors, [](size_t) { return std::vector<uint8_t>(10); }); },
                     {"w.gguf", "'wq'", "10 bytes", "44"});
}

}  // namespace
}  // namespace lmc::models
