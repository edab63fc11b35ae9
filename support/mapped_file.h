// A read-only memory map of a whole file; the weights are used in place, never copied.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace lmc::models {

class MappedFile {
 public:
  static std::unique_ptr<MappedFile> open(const std::string& path);  // throws lmc::Error
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  const std::string& path() const { return path_; }

 private:
  MappedFile() = default;
  std::string path_;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace lmc::models
