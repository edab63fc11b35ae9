#include "support/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "support/error.h"
#include "support/exit_removals.h"

namespace lmc::driver {

namespace {

int lock(int fd, bool wait) {
  int r;
  do r = ::flock(fd, wait ? LOCK_EX : LOCK_EX | LOCK_NB);
  while (r != 0 && errno == EINTR);
  return r;
}

// Whether `path` still names the file open as `fd`: its holder may have unlinked it while
// this process waited for its lock.
bool still_named(const std::string& path, int fd) {
  struct stat held{}, named{};
  return ::fstat(fd, &held) == 0 && ::stat(path.c_str(), &named) == 0 && held.st_dev == named.st_dev &&
         held.st_ino == named.st_ino;
}

}  // namespace

FileLock::FileLock(const std::string& path) : FileLock(path, true) {}

FileLock FileLock::try_lock(const std::string& path) { return FileLock(path, false); }

FileLock::FileLock(const std::string& path, bool wait) : path_(path) {
  for (;;) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) throw Error(path + ": error: cannot create the lock file: " + std::strerror(errno));
    if (lock(fd_, wait) != 0) break;
    if (still_named(path, fd_)) {
      slot_ = remove_at_exit(path);
      return;
    }
    ::close(fd_);  // a file its holder unlinked: lock the one the path names now
  }
  int err = errno;
  ::close(fd_);
  fd_ = -1;
  if (wait || err != EWOULDBLOCK) throw Error(path + ": error: cannot lock: " + std::strerror(err));
}

FileLock::FileLock(FileLock&& other) noexcept
    : path_(std::move(other.path_)), fd_(std::exchange(other.fd_, -1)), slot_(std::exchange(other.slot_, -1)) {}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    release();
    path_ = std::move(other.path_);
    fd_ = std::exchange(other.fd_, -1);
    slot_ = std::exchange(other.slot_, -1);
  }
  return *this;
}

FileLock::~FileLock() { release(); }

// Unlinked while still held, so that no locker takes the name between the two; a file
// that cannot be unlinked (a read-only folder) stays and locks as before. Taken off the
// signal's list first: once unlinked, the name may be another process's lock.
void FileLock::release() noexcept {
  if (fd_ < 0) return;
  keep_at_exit(std::exchange(slot_, -1));
  ::unlink(path_.c_str());
  ::close(fd_);  // closing the last descriptor releases the lock
  fd_ = -1;
}

}  // namespace lmc::driver
