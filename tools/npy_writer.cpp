#include "tools/npy_writer.h"

#include "ir/error.h"

namespace lmc::tools {

namespace {
constexpr size_t kHeaderBytes = 128;  // fixed, so the row count can be patched in place
}

NpyWriter::NpyWriter(const std::string& path, int64_t cols) : path_(path), f_(path, std::ios::binary), cols_(cols) {
  if (!f_) throw Error(path + ": error: cannot write");
  write_header(0);
}

void NpyWriter::write_header(int64_t rows) {
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + std::to_string(rows) + ", " +
                     std::to_string(cols_) + "), }";
  std::string header = "\x93NUMPY";
  header += '\x01';
  header += '\x00';
  uint16_t len = static_cast<uint16_t>(kHeaderBytes - 10);
  header.append(reinterpret_cast<const char*>(&len), 2);
  header += dict;
  header.resize(kHeaderBytes - 1, ' ');
  header += '\n';
  f_.seekp(0);
  f_.write(header.data(), static_cast<std::streamsize>(header.size()));
}

void NpyWriter::append(const float* row) {
  f_.seekp(0, std::ios::end);
  f_.write(reinterpret_cast<const char*>(row), static_cast<std::streamsize>(cols_ * sizeof(float)));
  ++rows_;
}

void NpyWriter::close() {
  write_header(rows_);
  f_.close();
  if (!f_) throw Error(path_ + ": error: write failed");
}

}  // namespace lmc::tools
