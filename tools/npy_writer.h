// Writes float32 matrices as NumPy .npy files, so logits lmc computed can be compared
// with a Python reference directly (`numpy.load`).
#pragma once
#include <cstdint>
#include <fstream>
#include <string>

namespace lmc::tools {

class NpyWriter {
 public:
  NpyWriter(const std::string& path, int64_t cols);  // rows are counted as appended
  void append(const float* row);
  void close();  // rewrites the header with the final row count

 private:
  void write_header(int64_t rows);
  std::string path_;
  std::ofstream f_;
  int64_t cols_, rows_ = 0;
};

}  // namespace lmc::tools
