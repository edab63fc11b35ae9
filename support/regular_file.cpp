#include "support/regular_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "support/error.h"

namespace lmc {

namespace {

Error system_error(const std::string& path, const char* what, int err) {
  return error_at(path, std::string(what) + ": " + std::strerror(err));
}

const char* kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a plain file";
}

void require_regular(const std::string& path, mode_t mode) {
  if (!S_ISREG(mode)) throw error_at(path, std::string("not a regular file (") + kind_of(mode) + ")");
}

// Closes the descriptor unless release() hands it to the caller.
struct FdGuard {
  int fd;
  ~FdGuard() {
    if (fd >= 0) ::close(fd);
  }
  int release() { return std::exchange(fd, -1); }
};

}  // namespace

int open_regular_file(const std::string& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) throw system_error(path, "cannot open", errno);
  require_regular(path, st.st_mode);
  FdGuard fd{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK)};
  if (fd.fd < 0) throw system_error(path, "cannot open", errno);
  // The path may name another file now than at the stat() above.
  if (::fstat(fd.fd, &st) != 0) throw system_error(path, "cannot stat", errno);
  require_regular(path, st.st_mode);
  return fd.release();
}

std::string read_regular_file(const std::string& path) {
  FdGuard fd{open_regular_file(path)};
  std::string out;
  char buf[1 << 16];
  while (true) {
    const ssize_t n = ::read(fd.fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw system_error(path, "cannot read", errno);
    if (n == 0) return out;
    out.append(buf, static_cast<size_t>(n));
  }
}

}  // namespace lmc
