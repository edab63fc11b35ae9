// An advisory lock on a file (flock), held for the object's life: what lets two lmc
// processes that compile the same model at once agree that one compiles and the other
// waits for its result. The lock file lasts only while it is held: its holder unlinks it
// before releasing the lock, so a locker that was waiting may find, once it holds the lock,
// that the path no longer names the file it locked (unlinked, perhaps made anew since); it
// then locks the path again. Only the holder of the file the path names ever unlinks it, so
// no two hold one path at once. A file left by a holder killed outright is unlocked: taking
// its lock (try_lock) and letting it go removes it; one whose holder a signal ends is
// removed as it ends (support/exit_removals.h).
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
  // Unlinks the file, then releases the lock.
  ~FileLock();
  FileLock(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  FileLock& operator=(FileLock&& other) noexcept;

  bool owns() const { return fd_ >= 0; }

 private:
  FileLock(const std::string& path, bool wait);
  void release() noexcept;

  std::string path_;
  int fd_ = -1;
  int slot_ = -1;  // in the list of files a signal removes (support/exit_removals.h)
};

}  // namespace lmc::driver
