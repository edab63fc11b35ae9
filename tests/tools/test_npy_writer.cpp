// lmc run's --logits-out writer: rows appended, then the row count patched into the header,
// wherever the output goes (tests/runtime/output_kinds.h), and numpy's header and bytes.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "tests/runtime/output_kinds.h"
#include "tools/lmc/npy/npy_writer.h"

namespace lmc::tools {
namespace {

// 300 rows of 64 floats: more than a pipe holds, so a FIFO's reader drains it meanwhile.
constexpr int64_t kRows = 300, kCols = 64;

void write_logits(const std::string& path) {
  NpyWriter w(path, kCols);
  std::vector<float> row(kCols);
  for (int64_t r = 0; r < kRows; ++r) {
    for (int64_t c = 0; c < kCols; ++c) row[c] = static_cast<float>(r * kCols + c);
    w.append(row.data());
  }
  w.close();
}

void expect_logits(const std::string& bytes) {
  ASSERT_EQ(bytes.size(), 128 + kRows * kCols * sizeof(float));
  EXPECT_EQ(bytes.substr(0, 6), "\x93NUMPY");
  EXPECT_NE(bytes.find("'shape': (300, 64)"), std::string::npos) << bytes.substr(0, 128);
  float last = 0;
  std::memcpy(&last, bytes.data() + bytes.size() - sizeof(float), sizeof last);
  EXPECT_EQ(last, static_cast<float>(kRows * kCols - 1));
}

LMC_OUTPUT_KIND_TESTS(NpyWriterOutput, write_logits, expect_logits)

}  // namespace
}  // namespace lmc::tools
