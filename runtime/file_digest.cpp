#include "runtime/file_digest.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <tbb/parallel_for.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string_view>
#include <vector>

#include "runtime/artifact/digest.h"
#include "support/cancellation.h"
#include "support/error.h"

namespace lmc::runtime {

namespace {

constexpr uint64_t kChunk = uint64_t{16} << 20;

[[noreturn]] void unreadable(const std::string& path, int err) {
  throw Error(path + ": error: cannot read: " + std::strerror(err));
}

uint64_t chunk_digest(int fd, uint64_t offset, uint64_t size, const std::string& path) {
  check_cancelled();  // a 7B file's digest takes seconds
  std::vector<char> buf(size);
  for (uint64_t got = 0; got < size;) {
    ssize_t n = ::pread(fd, buf.data() + got, size - got, static_cast<off_t>(offset + got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) unreadable(path, errno);
    if (n == 0) throw Error(path + ": error: the file shrank while it was read");
    got += static_cast<uint64_t>(n);
  }
  return digest64(std::string_view(buf.data(), buf.size()));
}

struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

uint64_t file_digest(const std::string& path) {
  Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.fd < 0) unreadable(path, errno);
  struct stat st;
  if (::fstat(f.fd, &st) != 0) unreadable(path, errno);
  auto size = static_cast<uint64_t>(st.st_size);
  std::vector<uint64_t> digests((size + kChunk - 1) / kChunk + 1);
  digests.back() = size;
  tbb::parallel_for(size_t{0}, digests.size() - 1, [&](size_t i) {
    uint64_t offset = i * kChunk;
    digests[i] = chunk_digest(f.fd, offset, std::min(kChunk, size - offset), path);
  });
  return digest64(std::string_view(reinterpret_cast<const char*>(digests.data()), digests.size() * sizeof(uint64_t)));
}

}  // namespace lmc::runtime
