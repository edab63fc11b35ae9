// What a killed or interrupted writer leaves: its PendingFile's temporary goes with the next
// writer of the same file once its writer is gone (support/temporary_files.h), never while
// it lives; a stop asked for throws at the next checkpoint, and ends the process outright
// when none comes (support/cancellation.h).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

#include "support/cancellation.h"
#include "support/pending_file.h"
#include "support/temporary_files.h"
#include "temp_dir.h"

namespace lmc::runtime {
namespace {

using testing::TempDir;

// A child that begins `path` and waits to be killed; its pid once the temporary is written.
pid_t writer_killed_later(const std::string& path) {
  int ready[2];
  if (::pipe(ready) != 0) return -1;
  pid_t pid = ::fork();
  if (pid == 0) {
    PendingFile f(path);
    f.write("half an artifact");
    if (::write(ready[1], "x", 1) != 1) ::_exit(1);
    ::pause();
    ::_exit(0);
  }
  char c;
  if (::read(ready[0], &c, 1) != 1) pid = -1;
  ::close(ready[0]);
  ::close(ready[1]);
  return pid;
}

TEST(TemporaryFiles, AKilledWritersTemporaryGoesWithTheNextWriter) {
  TempDir dir;
  std::string path = dir.file("out.lmc");
  pid_t pid = writer_killed_later(path);
  ASSERT_GT(pid, 0);
  std::vector<Temporary> live = find_temporaries(dir.path().string());
  ASSERT_EQ(live.size(), 1u);
  EXPECT_EQ(live[0].pid, pid);
  EXPECT_FALSE(live[0].abandoned);
  ::kill(pid, SIGKILL);
  ASSERT_EQ(::waitpid(pid, nullptr, 0), pid);
  std::vector<Temporary> left = find_temporaries(dir.path().string(), "out.lmc");
  ASSERT_EQ(left.size(), 1u);
  EXPECT_TRUE(left[0].abandoned);
  EXPECT_EQ(left[0].bytes, 16u);
  PendingFile again(path);
  again.write("whole");
  again.commit();
  EXPECT_EQ(dir.entries(), 1u) << "the killed writer's temporary is still there";
}

TEST(TemporaryFiles, ALiveWritersTemporaryStays) {
  TempDir dir;
  std::string path = dir.file("out.lmc");
  PendingFile first(path);
  first.write("first");
  PendingFile second(path);
  EXPECT_EQ(dir.entries(), 2u);
  EXPECT_EQ(remove_abandoned_temporaries(dir.path().string()), 0u);
  first.commit();
  EXPECT_EQ(dir.entries(), 2u);  // the file and the second's temporary
}

TEST(TemporaryFiles, OnlyTheFilesTemporariesAreTheirs) {
  TempDir dir;
  PendingFile a(dir.file("a.bin"));
  PendingFile b(dir.file("ab.bin"));
  EXPECT_EQ(find_temporaries(dir.path().string(), "a.bin").size(), 1u);
  EXPECT_EQ(find_temporaries(dir.path().string()).size(), 2u);
}

// A stop asked for throws at the checkpoint; a command that reaches none is ended within a
// second anyway, with 128 + the signal, its temporaries removed.
TEST(Cancellation, CheckpointThrowsThenTheGraceEndsTheProcess) {
  TempDir dir;
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    PendingFile f(dir.file("out.lmc"));
    f.write("half an artifact");
    check_cancelled();
    request_cancel(SIGINT);
    try {
      check_cancelled();
      ::_exit(1);
    } catch (const Cancelled& e) {
      if (e.exit_code() != 130) ::_exit(2);
    }
    ::sleep(10);  // no checkpoint comes
    ::_exit(3);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << "status " << status;
  EXPECT_EQ(WEXITSTATUS(status), 130);
  EXPECT_EQ(dir.entries(), 0u);
}

}  // namespace
}  // namespace lmc::runtime
