// The GGUF writer (lmc exec's seeded params): what it writes, GgufFile reads back as written
// — each tensor's name, type, shape and bytes, whatever its rank and block type — and a
// tensor given the wrong number of bytes is an error naming it. It writes wherever an
// output may go (tests/runtime/output_kinds.h).
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>

#include "expect_error.h"
#include "models/formats/gguf_file.h"
#include "models/formats/gguf_writer.h"
#include "temp_dir.h"
#include "tests/runtime/output_kinds.h"

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

// Larger than a pipe holds, so a FIFO's reader drains it while it is written.
const std::vector<GgufTensorSpec> kBig = {{"big", GgmlType::F32, {100000}}};

void write_big(const std::string& path) {
  write_gguf(path, kBig, [](size_t i) { return bytes_of(kBig[i], 5); });
}
void expect_big(const std::string& bytes) {
  test::TempDir dir;
  const std::string copy = dir.file("copy.gguf");
  {
    std::ofstream(copy, std::ios::binary) << bytes;
  }
  const auto file = GgufFile::open(copy);
  const GgufTensor* t = file->find_tensor("big");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(0, std::memcmp(file->data(*t), bytes_of(kBig[0], 5).data(), t->nbytes));
}
LMC_OUTPUT_KIND_TESTS(GgufWriterOutput, write_big, expect_big)

}  // namespace
}  // namespace lmc::models
