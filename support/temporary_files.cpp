#include "support/temporary_files.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <ctime>
#include <filesystem>
#include <optional>

namespace lmc::runtime {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kMark = ".tmp.";
// How long a live pid's unlocked temporary is taken to be in the instant before its lock.
constexpr std::time_t kYoungSeconds = 5;

bool digits(std::string_view s) { return !s.empty() && s.size() <= 10 && s.find_first_not_of("0123456789") == s.npos; }

// The writer's pid of a temporary's file name ("<file>.tmp.<pid>[.<n>]"), of the file `of`
// when it is given.
std::optional<int> writer_pid(const std::string& name, const std::string& of) {
  size_t at = of.empty() ? name.rfind(kMark) : of.size();
  if (at == std::string::npos || at == 0 || (!of.empty() && name.compare(0, at, of) != 0) ||
      name.compare(at, kMark.size(), kMark) != 0)
    return std::nullopt;
  std::string_view rest = std::string_view(name).substr(at + kMark.size());
  std::string_view pid = rest.substr(0, rest.find('.'));
  if (!digits(pid) || (pid.size() < rest.size() && !digits(rest.substr(pid.size() + 1)))) return std::nullopt;
  long n = std::stol(std::string(pid));
  if (n <= 0 || n > INT32_MAX) return std::nullopt;
  return static_cast<int>(n);
}

bool alive(int pid) { return ::kill(pid, 0) == 0 || errno == EPERM; }

// No process holds the writer's lock, and the pid says the writer is not between creating
// the file and locking it. A lock that cannot be tried (a filesystem without flock) counts
// as held: nothing is removed that might be written.
bool is_abandoned(const std::string& path, int pid) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return false;
  bool unlocked = ::flock(fd, LOCK_EX | LOCK_NB) == 0;
  struct stat st{};
  bool young = ::fstat(fd, &st) != 0 || std::time(nullptr) - std::max(st.st_mtime, st.st_ctime) < kYoungSeconds;
  ::close(fd);
  return unlocked && (!alive(pid) || !young);
}

}  // namespace

std::string temporary_name(const std::string& file) {
  static std::atomic<uint64_t> made{0};
  uint64_t n = made.fetch_add(1);
  return file + std::string(kMark) + std::to_string(::getpid()) + (n ? "." + std::to_string(n) : "");
}

int create_temporary(const std::string& path, unsigned mode) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd >= 0) ::flock(fd, LOCK_EX | LOCK_NB);  // a new name: no one else holds it
  return fd;
}

std::vector<Temporary> find_temporaries(const std::string& folder, const std::string& of) {
  std::vector<Temporary> out;
  std::error_code ec;
  for (const auto& f : fs::directory_iterator(folder.empty() ? "." : folder, ec)) {
    std::optional<int> pid = writer_pid(f.path().filename().string(), of);
    if (!pid || !f.is_regular_file(ec)) continue;
    Temporary t{f.path().string(), f.file_size(ec), *pid, false};
    if (ec) continue;  // gone meanwhile: committed or removed
    t.abandoned = is_abandoned(t.path, t.pid);
    out.push_back(t);
  }
  return out;
}

uint64_t remove_abandoned_temporaries(const std::string& folder, const std::string& of) {
  uint64_t freed = 0;
  for (const Temporary& t : find_temporaries(folder, of)) {
    std::error_code ec;
    if (t.abandoned && fs::remove(t.path, ec)) freed += t.bytes;
  }
  return freed;
}

}  // namespace lmc::runtime
