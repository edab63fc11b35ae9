#include "support/mapped_file.h"

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "support/error.h"
#include "support/regular_file.h"

namespace lmc::models {
namespace {

Error system_error(const std::string& path, const char* what) {
  return error_at(path, std::string(what) + ": " + std::strerror(errno));
}

// Closes the descriptor on every path out of open(); the mapping outlives it.
struct FdCloser {
  int fd;
  ~FdCloser() { ::close(fd); }
};

}  // namespace

std::unique_ptr<MappedFile> MappedFile::open(const std::string& path) {
  const int fd = open_regular_file(path);
  FdCloser closer{fd};
  struct stat st{};
  if (::fstat(fd, &st) != 0) throw system_error(path, "cannot stat");

  std::unique_ptr<MappedFile> file(new MappedFile());
  file->path_ = path;
  file->size_ = size_t(st.st_size);
  if (file->size_ == 0) return file;  // mmap rejects length 0; an empty map is valid
  void* p = ::mmap(nullptr, file->size_, PROT_READ, MAP_PRIVATE, fd, 0);
  if (p == MAP_FAILED) throw system_error(path, "cannot map");
  file->data_ = static_cast<const uint8_t*>(p);
  return file;
}

MappedFile::~MappedFile() {
  if (data_) ::munmap(const_cast<uint8_t*>(data_), size_);
}

}  // namespace lmc::models
