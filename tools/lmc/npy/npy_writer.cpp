#include "tools/lmc/npy/npy_writer.h"

#include <algorithm>
#include <vector>

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

NpyWriter::NpyWriter(const std::string& path, int64_t cols) : f_(path), cols_(cols) {
  f_.write(npy_header("<f4", {0, cols_}));
}

void NpyWriter::append(const float* row) {
  f_.write(std::string_view(reinterpret_cast<const char*>(row), cols_ * sizeof(float)));
  ++rows_;
}

void NpyWriter::close() {
  f_.pwrite(npy_header("<f4", {rows_, cols_}), 0);
  f_.commit();
}

std::string npy_bytes(const driver::HostArray& a) {
  const bool ints = a.dtype == ir::DType::i32;
  const char* data = ints ? reinterpret_cast<const char*>(a.i32.data()) : reinterpret_cast<const char*>(a.f32.data());
  return npy_header(ints ? "<i4" : "<f4", a.shape) + std::string(data, a.numel() * 4);
}

}  // namespace lmc::tools
