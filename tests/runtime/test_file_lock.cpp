// The compile cache's per-key lock (support/file_lock.h): its file is gone once released,
// one a killed holder left is taken and removed, and lockers that unlink the file as they
// release it never hold one path at the same time.
#include "support/file_lock.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "temp_dir.h"

namespace lmc::driver {
namespace {

namespace fs = std::filesystem;
using runtime::testing::TempDir;

TEST(FileLock, TheFileIsRemovedWhenReleased) {
  TempDir dir;
  std::string path = dir.file("k.lock");
  {
    FileLock lock(path);
    EXPECT_TRUE(fs::exists(path));
    EXPECT_FALSE(FileLock::try_lock(path).owns());
    EXPECT_TRUE(fs::exists(path)) << "a failed try_lock must not remove the holder's file";
  }
  EXPECT_FALSE(fs::exists(path));
}

TEST(FileLock, AFileNoOneHoldsIsTakenAndRemoved) {
  TempDir dir;
  std::string path = dir.file("k.lock");
  std::ofstream(path).put('\n');  // what a holder killed outright leaves
  {
    FileLock lock = FileLock::try_lock(path);
    EXPECT_TRUE(lock.owns());
  }
  EXPECT_FALSE(fs::exists(path));
}

TEST(FileLock, AMovedLockIsReleasedOnce) {
  TempDir dir;
  std::string path = dir.file("k.lock");
  FileLock first(path);
  FileLock second = std::move(first);
  EXPECT_FALSE(first.owns());
  EXPECT_FALSE(FileLock::try_lock(path).owns());
  second = FileLock::try_lock(dir.file("other.lock"));
  EXPECT_FALSE(fs::exists(path));
  EXPECT_TRUE(FileLock::try_lock(path).owns());
}

// Lockers that each unlink the file as they release it: one waiting on a file that is
// unlinked meanwhile must lock the path anew, not the file it waited on, while another
// holds the new one. Threads lock through their own descriptors, so flock sets them
// against each other as it does processes.
TEST(FileLock, NoTwoHoldOnePathAtOnce) {
  TempDir dir;
  std::string path = dir.file("k.lock");
  std::atomic<int> holders{0}, overlaps{0}, held{0};
  auto locker = [&](bool waits) {
    for (int i = 0; i < 2000; ++i) {
      FileLock lock = waits ? FileLock(path) : FileLock::try_lock(path);
      if (!lock.owns()) continue;
      if (holders.fetch_add(1) != 0) overlaps.fetch_add(1);
      held.fetch_add(1);
      std::this_thread::yield();
      holders.fetch_sub(1);
    }
  };
  std::vector<std::thread> threads;
  for (bool waits : {true, true, true, false}) threads.emplace_back(locker, waits);
  for (auto& t : threads) t.join();
  EXPECT_EQ(overlaps.load(), 0);
  EXPECT_GE(held.load(), 6000);
  EXPECT_FALSE(fs::exists(path));
}

// A holder a signal ends (SIGTERM at its default when the first file was listed) leaves no
// lock file: the handler support/exit_removals.h installed removes it before the process
// dies of the signal.
TEST(FileLock, AHolderASignalEndsLeavesNoFile) {
  TempDir dir;
  std::string path = dir.file("k.lock");
  pid_t pid = ::fork();
  if (pid == 0) {
    FileLock lock(path);
    ::raise(SIGTERM);
    ::_exit(0);  // not reached
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM) << status;
  EXPECT_FALSE(fs::exists(path));
}

}  // namespace
}  // namespace lmc::driver
