#include "support/anonymous_file.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "support/error.h"

namespace lmc::runtime {

AnonymousFile::AnonymousFile() : fd_(::memfd_create("lmc", MFD_CLOEXEC)) {
  if (fd_ < 0) throw Error(std::string("lmc: error: cannot make a file in memory: ") + std::strerror(errno));
}

AnonymousFile::~AnonymousFile() { ::close(fd_); }

std::string AnonymousFile::path() const { return "/proc/self/fd/" + std::to_string(fd_); }

std::string AnonymousFile::contents() const {
  std::string out;
  char buf[1 << 16];
  while (true) {
    ssize_t n = ::pread(fd_, buf, sizeof buf, static_cast<off_t>(out.size()));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return out;
    out.append(buf, static_cast<size_t>(n));
  }
}

}  // namespace lmc::runtime
