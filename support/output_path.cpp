#include "support/output_path.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>

#include "support/error.h"

namespace lmc::runtime {

namespace {

// Linux's own bound on links followed in one lookup (ELOOP past it).
constexpr int kMaxLinks = 40;

Error cannot_write(const std::string& path, const std::string& why) { return error_at(path, "cannot write: " + why); }

std::optional<int> descriptor_number(const std::string& digits) {
  if (digits.empty() || digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  return std::stoi(digits);
}

// "-", /dev/fd/N, /dev/stdout and the /proc forms name a descriptor of this process. They are
// told by their spelling, before any lookup: the kernel's /proc/self/fd/N link reads as
// "pipe:[123]" or "socket:[456]", which names no file that could be opened again.
std::optional<int> own_descriptor(const std::string& p) {
  if (p == "-" || p == "/dev/stdout") return 1;
  if (p == "/dev/stderr") return 2;
  const std::string prefixes[] = {"/dev/fd/", "/proc/self/fd/", "/proc/thread-self/fd/",
                                  "/proc/" + std::to_string(::getpid()) + "/fd/"};
  for (const std::string& prefix : prefixes)
    if (p.compare(0, prefix.size(), prefix) == 0) return descriptor_number(p.substr(prefix.size()));
  return std::nullopt;
}

// The link's text, relative to the folder the link is in.
std::string follow(const std::string& link, const std::string& user_path) {
  std::string target(PATH_MAX, '\0');
  ssize_t n = ::readlink(link.c_str(), target.data(), target.size());
  if (n < 0) throw cannot_write(user_path, "cannot read the link " + link + ": " + std::strerror(errno));
  target.resize(static_cast<size_t>(n));
  std::filesystem::path t(target);
  if (t.is_absolute()) return target;
  return (std::filesystem::path(link).parent_path() / t).string();
}

int connect_socket(const std::string& file, const std::string& user_path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (file.size() >= sizeof addr.sun_path) throw cannot_write(user_path, "the socket's path is too long");
  std::memcpy(addr.sun_path, file.c_str(), file.size() + 1);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw cannot_write(user_path, std::strerror(errno));
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    int err = errno;
    ::close(fd);
    throw cannot_write(user_path, std::string("cannot connect to the socket: ") + std::strerror(err));
  }
  return fd;
}

}  // namespace

OutputPath classify_output(const std::string& path) {
  if (path.empty()) throw cannot_write("(empty path)", "expects a file name");
  std::string p = path;
  for (int links = 0;; ++links) {
    if (std::optional<int> fd = own_descriptor(p)) return {OutputPath::Kind::Stream, p, *fd};
    struct stat st{};
    if (::lstat(p.c_str(), &st) != 0) {
      // Nothing there yet: a new file (a missing folder fails when the temporary is made).
      if (errno == ENOENT) return {OutputPath::Kind::File, p, -1};
      throw cannot_write(path, std::strerror(errno));
    }
    if (S_ISLNK(st.st_mode)) {
      if (links == kMaxLinks) throw cannot_write(path, std::strerror(ELOOP));
      p = follow(p, path);
      continue;
    }
    if (S_ISREG(st.st_mode)) return {OutputPath::Kind::File, p, -1};
    if (S_ISDIR(st.st_mode)) return {OutputPath::Kind::Directory, p, -1};
    if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)) return {OutputPath::Kind::Stream, p, -1};
    throw cannot_write(path, "it is a block device");
  }
}

int open_output_stream(const OutputPath& out, const std::string& path) {
  if (out.descriptor >= 0) {
    int fd = ::fcntl(out.descriptor, F_DUPFD_CLOEXEC, 0);
    if (fd < 0) throw cannot_write(path, "descriptor " + std::to_string(out.descriptor) + ": " + std::strerror(errno));
    return fd;
  }
  struct stat st{};
  if (::stat(out.file.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) return connect_socket(out.file, path);
  int fd = ::open(out.file.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) throw cannot_write(path, std::strerror(errno));
  return fd;
}

bool write_all(int fd, const char* bytes, size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, bytes, size);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) errno = EIO;  // a write that makes no progress would loop forever
    if (n <= 0) return false;
    bytes += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace lmc::runtime
