// The kinds of path an output may name (support/output_path.h), made in a test's own
// temporary folder, and what each writer must do with them: a character device (/dev/null's
// numbers, 1,3; made only where the test runs as root) and a FIFO stay what they are and
// get the bytes, with nothing left beside them; a symbolic link stays a link and its target
// is a new file; a folder the writer may not write in gives an error naming the path and
// leaves nothing. Never the machine's /dev/null: a writer that replaced the node would
// replace the test's own copy.
//
// LMC_OUTPUT_KIND_TESTS(Suite, write, check) makes the four tests of one writer: `write`
// writes its output at a path, `check` looks at the bytes that arrived (in a FIFO, or in the
// file a link names).
#pragma once
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>

#include "support/error.h"
#include "tests/runtime/temp_dir.h"

namespace lmc::runtime::testing {

using OutputWriter = std::function<void(const std::string& path)>;
using OutputCheck = std::function<void(const std::string& bytes)>;

inline mode_t kind_of(const std::string& path) {
  struct stat st{};
  return ::lstat(path.c_str(), &st) == 0 ? st.st_mode & S_IFMT : 0;
}

inline std::string file_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Drains a FIFO from before the writer opens it until the writer has finished: opened
// without blocking, so a writer that never opens the FIFO (it replaced it) cannot hang the
// test, and read as the bytes come, so a writer of more than a pipe's 64 KB never waits.
class FifoReader {
 public:
  explicit FifoReader(const std::string& path) : fd_(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC)) {
    if (fd_ >= 0) thread_ = std::thread([this] { drain(); });
  }
  ~FifoReader() { finish(); }
  bool ok() const { return fd_ >= 0; }
  // The bytes, once the writer is done.
  const std::string& finish() {
    done_ = true;
    if (thread_.joinable()) thread_.join();
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    return bytes_;
  }

 private:
  void drain() {
    char buf[1 << 16];
    while (true) {
      bool done = done_.load();  // read before the last read: what the writer wrote is in the pipe
      pollfd p{fd_, POLLIN, 0};
      ::poll(&p, 1, 20);
      ssize_t n = ::read(fd_, buf, sizeof buf);
      if (n > 0) {
        bytes_.append(buf, static_cast<size_t>(n));
        continue;
      }
      if (done) return;
    }
  }
  int fd_;
  std::atomic<bool> done_{false};
  std::string bytes_;
  std::thread thread_;
};

// Runs `write`, failing the test (not ending it) on an lmc::Error.
inline void run_writer(const OutputWriter& write, const std::string& path) {
  try {
    write(path);
  } catch (const Error& e) {
    ADD_FAILURE() << "writing " << path << ": " << e.what();
  }
}

inline void expect_device_output(const OutputWriter& write) {
  if (::geteuid() != 0) GTEST_SKIP() << "making a device node needs root";
  TempDir dir;
  const std::string node = dir.file("null");
  ASSERT_EQ(::mknod(node.c_str(), S_IFCHR | 0666, ::makedev(1, 3)), 0) << std::strerror(errno);
  int probe = ::open(node.c_str(), O_WRONLY | O_CLOEXEC);
  if (probe < 0) GTEST_SKIP() << "the temporary folder's filesystem refuses devices (nodev)";
  ::close(probe);
  run_writer(write, node);
  EXPECT_EQ(kind_of(node), S_IFCHR) << node << " is no longer a character device";
  EXPECT_EQ(dir.entries(), 1u) << "a file was left beside the device";
}

inline std::string expect_fifo_output(const OutputWriter& write) {
  TempDir dir;
  const std::string node = dir.file("pipe");
  EXPECT_EQ(::mkfifo(node.c_str(), 0600), 0) << std::strerror(errno);
  FifoReader reader(node);
  EXPECT_TRUE(reader.ok());
  run_writer(write, node);
  std::string bytes = reader.finish();
  EXPECT_EQ(kind_of(node), S_IFIFO) << node << " is no longer a FIFO";
  EXPECT_EQ(dir.entries(), 1u) << "a file was left beside the FIFO";
  return bytes;
}

// The link names a file in another folder, which is where the temporary must be made.
inline std::string expect_symlink_output(const OutputWriter& write) {
  TempDir dir;
  std::filesystem::create_directory(dir.path() / "real");
  const std::string target = dir.file("real/out"), link = dir.file("link");
  {
    std::ofstream(target) << "old";
  }
  struct stat before{};
  ::stat(target.c_str(), &before);
  std::filesystem::create_symlink("real/out", link);
  run_writer(write, link);
  EXPECT_EQ(kind_of(link), S_IFLNK) << link << " is no longer a symbolic link";
  EXPECT_EQ(std::filesystem::read_symlink(link), "real/out");
  struct stat after{};
  ::stat(target.c_str(), &after);
  EXPECT_NE(after.st_ino, before.st_ino) << "the target was written in place, not replaced whole";
  EXPECT_EQ(dir.entries(), 2u) << "a file was left beside the link";
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path() / "real"), {}), 1)
      << "a file was left beside the target";
  return file_text(target);
}

// Root writes anywhere, so as root the writer runs in a child that has become nobody.
inline void expect_read_only_refusal(const OutputWriter& write) {
  TempDir dir;
  std::filesystem::permissions(dir.path(), std::filesystem::perms(0755));
  const std::filesystem::path folder = dir.path() / "ro";
  std::filesystem::create_directory(folder);
  std::filesystem::permissions(folder, std::filesystem::perms(0555));
  const std::string path = (folder / "out").string();
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(pipe_fds[0]);
    if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) ::_exit(3);
    std::string message = "(no error)";
    try {
      write(path);
    } catch (const Error& e) {
      message = e.what();
    }
    ssize_t n = ::write(pipe_fds[1], message.data(), message.size());
    ::_exit(n < 0 ? 4 : 0);
  }
  ::close(pipe_fds[1]);
  std::string message;
  char buf[4096];
  for (ssize_t n; (n = ::read(pipe_fds[0], buf, sizeof buf)) > 0;) message.append(buf, static_cast<size_t>(n));
  ::close(pipe_fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
  EXPECT_NE(message.find(path + ": error: "), std::string::npos) << message;
  EXPECT_NE(message.find("Permission denied"), std::string::npos) << message;
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(folder), {}), 0) << "the writer left a file";
  std::filesystem::permissions(folder, std::filesystem::perms(0755));  // for TempDir to remove
}

}  // namespace lmc::runtime::testing

#define LMC_OUTPUT_KIND_TESTS(Suite, write, check)                                                    \
  TEST(Suite, IntoACharacterDevice) { ::lmc::runtime::testing::expect_device_output(write); }         \
  TEST(Suite, IntoAFifo) { check(::lmc::runtime::testing::expect_fifo_output(write)); }               \
  TEST(Suite, ThroughASymbolicLink) { check(::lmc::runtime::testing::expect_symlink_output(write)); } \
  TEST(Suite, IntoAReadOnlyFolderFailsByName) { ::lmc::runtime::testing::expect_read_only_refusal(write); }
