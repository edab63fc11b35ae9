#include "support/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "support/error.h"

namespace lmc::driver {

FileLock::FileLock(const std::string& path) : FileLock(path, true) {}

FileLock FileLock::try_lock(const std::string& path) { return FileLock(path, false); }

FileLock::FileLock(const std::string& path, bool wait) {
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) throw Error(path + ": error: cannot create the lock file: " + std::strerror(errno));
  int r;
  do r = ::flock(fd_, wait ? LOCK_EX : LOCK_EX | LOCK_NB);
  while (r != 0 && errno == EINTR);
  if (r == 0) return;
  int err = errno;
  ::close(fd_);
  fd_ = -1;
  if (wait || err != EWOULDBLOCK) throw Error(path + ": error: cannot lock: " + std::strerror(err));
}

FileLock::FileLock(FileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor releases the lock
}

}  // namespace lmc::driver
