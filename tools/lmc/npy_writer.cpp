#include "tools/lmc/npy_writer.h"

#include <algorithm>
#include <vector>

#include "support/error.h"

namespace lmc::tools {

namespace {

constexpr size_t kHeaderBytes = 128;  // fixed, so the row count can be patched in place

// Format 1.0's magic, version, header length and dict, padded to kHeaderBytes (or to the
// next multiple of 64 for a shape too long for it), ending in a newline.
std::string npy_header(const std::string& descr, const std::vector<int64_t>& shape) {
  std::string dims;
  for (int64_t d : shape) dims += std::to_string(d) + ", ";
  if (shape.size() > 1) dims.resize(dims.size() - 2);
  std::string dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + dims + "), }";
  const size_t total = std::max(kHeaderBytes, (10 + dict.size() + 1 + 63) / 64 * 64);
  std::string header = "\x93NUMPY";
  header += '\x01';
  header += '\x00';
  const auto len = static_cast<uint16_t>(total - 10);
  header.append(reinterpret_cast<const char*>(&len), 2);
  header += dict;
  header.resize(total - 1, ' ');
  return header + '\n';
}

}  // namespace

NpyWriter::NpyWriter(const std::string& path, int64_t cols) : path_(path), f_(path, std::ios::binary), cols_(cols) {
  if (!f_) throw Error(path + ": error: cannot write");
  write_header(0);
}

void NpyWriter::write_header(int64_t rows) {
  const std::string header = npy_header("<f4", {rows, cols_});
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

void write_npy(const std::string& path, const driver::HostArray& a) {
  std::ofstream f(path, std::ios::binary);
  if (!f) throw Error(path + ": error: cannot write");
  const bool ints = a.dtype == ir::DType::i32;
  const std::string header = npy_header(ints ? "<i4" : "<f4", a.shape);
  f.write(header.data(), static_cast<std::streamsize>(header.size()));
  const char* data = ints ? reinterpret_cast<const char*>(a.i32.data()) : reinterpret_cast<const char*>(a.f32.data());
  f.write(data, static_cast<std::streamsize>(a.numel() * 4));
  f.close();
  if (!f) throw Error(path + ": error: write failed");
}

}  // namespace lmc::tools
