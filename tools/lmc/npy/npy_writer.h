// Writes NumPy .npy files, so that what lmc computed compares with a Python reference
// directly (`numpy.load`): logits as float32 matrices a row at a time (NpyWriter), and
// lmc exec's results whole (npy_bytes).
#pragma once
#include <cstdint>
#include <string>

#include "driver/host_array.h"
#include "support/pending_file.h"

namespace lmc::tools {

class NpyWriter {
 public:
  // Throws lmc::Error "<path>: error: ..." (runtime::PendingFile: the file appears whole at
  // close(), or a stream gets it then).
  NpyWriter(const std::string& path, int64_t cols);  // rows are counted as appended
  void append(const float* row);
  void close();  // rewrites the header with the final row count

 private:
  runtime::PendingFile f_;
  int64_t cols_, rows_ = 0;
};

// `a` as the bytes of a .npy file: a float32 or int32 array of its shape.
std::string npy_bytes(const driver::HostArray& a);

}  // namespace lmc::tools
