// An advisory lock on a file (flock), held for the object's life: what lets two lmc
// processes that compile the same model at once agree that one compiles and the other
// waits for its result.
#pragma once
#include <string>

namespace lmc::driver {

class FileLock {
 public:
  // Locks `path` (created if missing), blocking until no other process holds it.
  // Throws lmc::Error naming `path` when it cannot be created or locked.
  explicit FileLock(const std::string& path);
  // Locks `path` only if no one holds it; owns() says whether it did.
  static FileLock try_lock(const std::string& path);
  ~FileLock();
  FileLock(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  FileLock& operator=(FileLock&& other) noexcept;

  bool owns() const { return fd_ >= 0; }

 private:
  FileLock(const std::string& path, bool wait);
  int fd_ = -1;
};

}  // namespace lmc::driver
