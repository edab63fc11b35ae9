// PendingFile: an output is complete under its name or absent, whatever ends the process.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <fstream>

#include "support/error.h"
#include "support/pending_file.h"
#include "temp_dir.h"

namespace lmc::runtime {
namespace {

using testing::TempDir;

TEST(PendingFile, CommitRenamesIntoPlace) {
  TempDir dir;
  std::string path = dir.file("out.bin");
  PendingFile f(path);
  f.write("hello ");
  f.write("world");
  f.pwrite("J", 0);
  EXPECT_EQ(f.pread(6, 5), "world");
  EXPECT_EQ(dir.entries(), 1u);
  f.commit();
  std::ifstream in(path);
  std::string text;
  std::getline(in, text);
  EXPECT_EQ(text, "Jello world");
  EXPECT_EQ(dir.entries(), 1u);
}

// Ctrl-C or kill during a long write (lmc compile packing weights): the temporary goes,
// and the process still dies of the signal.
TEST(PendingFile, SignalRemovesTheTemporary) {
  for (int sig : {SIGINT, SIGTERM}) {
    TempDir dir;
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      PendingFile f(dir.file("out.lmc"));
      f.write("half an artifact");
      ::raise(sig);
      ::_exit(0);  // not reached: the signal ends the process
    }
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == sig) << "status " << status;
    EXPECT_EQ(dir.entries(), 0u) << "signal " << sig << " left the temporary file";
  }
}

TEST(PendingFile, ADirectoryIsRefusedByName) {
  TempDir dir;
  try {
    PendingFile f(dir.path().string());
    FAIL() << "writing over a directory was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), dir.path().string() + ": error: cannot write: it is a directory");
  }
}

}  // namespace
}  // namespace lmc::runtime
