// Writes NumPy .npy files, so that what lmc computed compares with a Python reference
// directly (`numpy.load`): logits as float32 matrices a row at a time (NpyWriter), and
// lmc exec's results whole (write_npy).
#pragma once
#include <cstdint>
#include <fstream>
#include <string>

#include "driver/host_array.h"

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

// `a` as a float32 or int32 array of its shape. Throws lmc::Error "<path>: error: ...".
void write_npy(const std::string& path, const driver::HostArray& a);

}  // namespace lmc::tools
