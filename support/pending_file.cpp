#include "support/pending_file.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <mutex>

#include "support/error.h"

namespace lmc::runtime {

namespace {

// The temporaries a signal must remove. The handler may only call async-signal-safe
// functions, so the names live in fixed buffers and a slot is published by an atomic flag
// after its name is written.
constexpr int kSlots = 8;
struct Slot {
  std::atomic<bool> used{false};
  char path[PATH_MAX] = {};
};
std::array<Slot, kSlots> g_slots;
constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};

extern "C" void remove_pending_files(int sig) {
  for (Slot& s : g_slots)
    if (s.used.load()) ::unlink(s.path);
  std::signal(sig, SIG_DFL);
  std::raise(sig);  // die of the signal, as without the handler
}

// Installed once, and not for a signal the process was told to ignore (nohup).
void install_handlers() {
  static std::once_flag once;
  std::call_once(once, [] {
    for (int sig : kSignals) {
      struct sigaction old{};
      if (::sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) continue;
      struct sigaction sa{};
      sa.sa_handler = remove_pending_files;
      sigemptyset(&sa.sa_mask);
      ::sigaction(sig, &sa, nullptr);
    }
  });
}

int claim_slot(const std::string& tmp) {
  static std::mutex m;
  std::lock_guard<std::mutex> lock(m);
  if (tmp.size() >= PATH_MAX) return -1;
  for (int i = 0; i < kSlots; ++i) {
    if (g_slots[i].used.load()) continue;
    std::memcpy(g_slots[i].path, tmp.c_str(), tmp.size() + 1);
    g_slots[i].used.store(true);
    return i;
  }
  return -1;  // more files at once than slots: still removed on exceptions, not on signals
}

void release_slot(int slot) {
  if (slot >= 0) g_slots[slot].used.store(false);
}

}  // namespace

PendingFile::PendingFile(std::string path) : path_(std::move(path)) {
  struct stat st{};
  if (::stat(path_.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) fail("cannot write: it is a directory", 0);
  tmp_ = path_ + ".tmp." + std::to_string(::getpid());
  install_handlers();
  slot_ = claim_slot(tmp_);
  fd_ = ::open(tmp_.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    int err = errno;
    release_slot(slot_);
    fail("cannot write", err);
  }
}

PendingFile::~PendingFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(tmp_.c_str());
  release_slot(slot_);
}

void PendingFile::fail(const std::string& what, int err) const {
  Error e = error_at(path_, what + (err ? std::string(": ") + std::strerror(err) : ""));
  if (err == ENOSPC || err == EDQUOT) throw NoSpaceLeft(e.what());
  throw e;
}

void PendingFile::write(std::string_view b) {
  while (!b.empty()) {
    ssize_t n = ::write(fd_, b.data(), b.size());
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) errno = EIO;  // a write that makes no progress would loop forever
    if (n <= 0) fail("cannot write", errno);
    b.remove_prefix(static_cast<size_t>(n));
    size_ += static_cast<uint64_t>(n);
  }
}

void PendingFile::pwrite(std::string_view b, uint64_t offset) {
  if (::pwrite(fd_, b.data(), b.size(), static_cast<off_t>(offset)) != static_cast<ssize_t>(b.size()))
    fail("cannot write", errno);
}

std::string PendingFile::pread(uint64_t offset, uint64_t size) const {
  std::string out(size, '\0');
  if (::pread(fd_, out.data(), size, static_cast<off_t>(offset)) != static_cast<ssize_t>(size))
    fail("cannot read back what was written", errno);
  return out;
}

void PendingFile::commit() {
  if (::fsync(fd_) != 0) fail("cannot write", errno);
  int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) fail("cannot write", errno);
  if (std::rename(tmp_.c_str(), path_.c_str()) != 0) fail("cannot write", errno);
  committed_ = true;
}

}  // namespace lmc::runtime
